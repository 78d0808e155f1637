/** `certificates list`, `reissue` and `renew`. */
import { EXIT } from '../cli/exit-codes.js';
import { OvnctlError } from '../errors.js';
import { parseDuration } from '../pki/ttl.js';
import { dueWithin, type FleetReport, fleetReport, needsAttention } from './fleet-report.js';
import { formatList } from './list-format.js';
import type { Progress } from './outcome.js';
import { inProgress, readState } from './rotation-state.js';
import {
  CA_PLAYBOOK,
  caSection,
  deployed,
  hostsOf,
  LIST_PLAYBOOK,
  partByName,
  SERVICE_CA_SECTION,
  SERVICES,
  type ServiceDef,
  serviceByName,
  usesServiceCa,
} from './services.js';
import type { Session } from './session.js';

export interface Scope {
  /** --limit hosts (undefined: every host). */
  limit: ReadonlySet<string> | undefined;
  json: boolean;
}

/** The renewal window for every service's playbook (each names its own variable). */
function windowVars(within: string): Record<string, string> {
  return Object.fromEntries(
    ['pki_renew_before', ...SERVICES.map((s) => s.renewBeforeVar)].map((v) => [v, within]),
  );
}

async function readFleet(
  session: Session,
  within: string | undefined,
  limit: Scope['limit'],
): Promise<FleetReport> {
  const windowMs = parseDuration(within ?? '10d', '--within');
  const inventory = session.loaded.inventory;
  // Which CA sections the list shows: the service CAs unless every deployed service has its own.
  const sections = [
    ...(usesServiceCa(inventory) ? [SERVICE_CA_SECTION] : []),
    ...deployed(inventory)
      .filter((d) => d.service.ownCa)
      .map((d) => caSection(d.service)),
  ];
  const run = await session.run({
    playbook: LIST_PLAYBOOK,
    extra: { ovnctl_list_ca_sections: sections, ...(within ? windowVars(within) : {}) },
    limit,
  });
  const days = within
    ? Math.round(windowMs / 86_400_000)
    : (run.results
        .map((r) => (r.result?.cert_facts as { renew_before_days?: number } | undefined)?.renew_before_days)
        .find((d) => d !== undefined) ?? 10);
  return fleetReport(run, readState(session.loaded.configDir), days);
}

export async function listCommand(
  session: Session,
  within: string | undefined,
  scope: Scope,
): Promise<number> {
  const report = await readFleet(session, within, scope.limit);
  session.io.stdout(scope.json ? `${JSON.stringify(report, null, 2)}\n` : formatList(report));
  if (report.summary.hosts_with_errors.length > 0) return EXIT.unreachable;
  return needsAttention(report) ? EXIT.hostFailed : EXIT.ok;
}

const catalogue = () =>
  `services: ${SERVICES.map((s) => `${s.name} (group ${s.groups.join(' or ')})`).join(', ')}`;

interface ReissueTarget {
  service: ServiceDef;
  hosts: string[];
  /** What goes into the service's regen flag: true, or the part's name. */
  regen: true | string;
}

/** Hosts to reissue on, per service; a selected host that does not run the service is an error. */
function reissueTargets(session: Session, what: string, limit: Scope['limit']): ReissueTarget[] {
  const inv = session.loaded.inventory;
  if (what === 'all') {
    const targets = deployed(inv).map((d) => ({
      service: d.service,
      hosts: d.hosts.filter((h) => !limit || limit.has(h)),
      regen: true as const,
    }));
    const covered = new Set(targets.flatMap((t) => t.hosts));
    const bare = limit ? [...limit].filter((h) => !covered.has(h)) : [];
    if (bare.length > 0) {
      throw new OvnctlError('usage', `no service with certificates is deployed on ${bare.join(', ')}`, {
        hint: catalogue(),
      });
    }
    const selected = targets.filter((t) => t.hosts.length > 0);
    if (selected.length === 0)
      throw new OvnctlError('usage', 'no service with certificates is deployed in this inventory', {
        hint: catalogue(),
      });
    return selected;
  }
  const named = serviceByName(what);
  const part = named ? undefined : partByName(what);
  const service = named ?? part?.service;
  if (!service) {
    const words = SERVICES.flatMap((s) => [s.name, ...s.parts.map((p) => p.name)]);
    throw new OvnctlError('usage', `unknown service '${what}'`, {
      hint: `one of: ${[...words, 'all'].join(', ')}`,
    });
  }
  const groups = part?.part.groups ?? service.groups;
  const where = `group ${groups.join(' or ')}`;
  const hosts = hostsOf(inv, groups);
  if (hosts.length === 0)
    throw new OvnctlError('usage', `${what} is not deployed on any host (${where} is empty)`);
  const outside = limit ? [...limit].filter((h) => !hosts.includes(h)) : [];
  if (outside.length > 0) {
    throw new OvnctlError('usage', `${what} is not deployed on ${outside.join(', ')} (not in ${where})`);
  }
  return [{ service, hosts: limit ? hosts.filter((h) => limit.has(h)) : hosts, regen: part ? what : true }];
}

export async function reissueCommand(
  session: Session,
  what: string,
  scope: Scope,
  progress: Progress,
): Promise<number> {
  const targets = reissueTargets(session, what, scope.limit);
  for (const t of targets) {
    session.security.write({
      category: 'AUTHZ',
      event: 'authz_admin',
      action: 'reissue_certificates',
      service: t.service.name,
      ...(t.regen === true ? {} : { part: t.regen }),
      hosts: t.hosts,
      key: t.service.regenFlag,
      command: session.command,
    });
    const limit = new Set(t.hosts);
    const o = await session.run({
      playbook: t.service.playbook,
      extra: { [t.service.regenFlag]: t.regen },
      limit,
    });
    progress.record(`reissue ${t.regen === true ? t.service.name : t.regen}`, o, limit);
  }
  return progress.exitCode();
}

export async function renewCommand(
  session: Session,
  withinArg: string | undefined,
  scope: Scope,
  progress: Progress,
): Promise<number> {
  const rotation = readState(session.loaded.configDir);
  if (inProgress(rotation)) {
    throw new OvnctlError(
      'usage',
      `a CA rotation of ${rotation.ca} is in progress: renew waits until it is finished`,
      {
        hint: 'finish it with: ovnctl certificates regenerate-ca',
      },
    );
  }
  const report = await readFleet(session, withinArg, scope.limit);
  // Without --within, the window is the configuration's (pki_renew_before), as list reported it.
  const within = withinArg ?? `${report.renew_before_days}d`;
  const windowMs = parseDuration(within, '--within');
  for (const h of report.summary.hosts_with_errors)
    progress.say(`${h}: could not be read: ${report.hosts[h]?.error}`);
  const now = new Date();
  const due = dueWithin(report, now, windowMs);
  const userDue = due.filter((d) => d.cert.user_provided);
  for (const d of userDue)
    progress.say(
      `${d.host}: ${d.cert.kind === 'ca' ? 'CA' : d.service} ${d.cert.name} expires on ${d.cert.not_after}: user-provided, replace it yourself`,
    );
  const caDue = due.filter((d) => d.cert.kind === 'ca' && !d.cert.user_provided);
  const leafDue = due.filter((d) => d.cert.kind === 'certificate' && !d.cert.user_provided);
  const extra = windowVars(within);
  const fleet = deployed(session.loaded.inventory);
  // Services whose CA is due are renewed on every host: the renewed CA re-signs all their leaves.
  const whole = new Set<ServiceDef>();
  const serviceCaDue = caDue.filter((d) => d.service === SERVICE_CA_SECTION);
  if (serviceCaDue.length > 0) {
    progress.say(
      `CA ${serviceCaDue.map((d) => d.cert.name).join(', ')} expire${serviceCaDue.length > 1 ? '' : 's'} within ${within}: renewing, then every service it signs`,
    );
    progress.record('renew CA', await session.run({ playbook: CA_PLAYBOOK, extra, renewal: true }));
    for (const d of fleet) if (!d.service.ownCa) whole.add(d.service);
  }
  for (const { service } of fleet) {
    const own = caDue.filter((d) => service.ownCa && d.service === caSection(service));
    if (own.length === 0) continue;
    progress.say(
      `${service.name}'s CA ${own.map((d) => d.cert.name).join(', ')} expires within ${within}: renewing it with every ${service.name} certificate`,
    );
    whole.add(service);
  }
  for (const { service, hosts: all } of fleet) {
    const dueHere = leafDue.filter((d) => d.service === service.name);
    let hosts = all;
    if (!whole.has(service)) {
      hosts = [...new Set(dueHere.map((d) => d.host))];
      if (hosts.length === 0) continue;
      progress.say(
        `${service.name}: ${dueHere.map((d) => `${d.cert.name} on ${d.host}`).join(', ')} expire(s) within ${within}`,
      );
    }
    const limit = new Set(hosts.filter((h) => !scope.limit || scope.limit.has(h)));
    if (limit.size === 0) continue;
    // A service CA is renewed by its own run only: a service playbook's CA play would renew it
    // again whenever the window is longer than its lifetime. A CA of the service's own is
    // renewed by the service's playbook, so its CA step stays on when that CA is due.
    const ownCaDue = service.ownCa && whole.has(service);
    progress.record(
      `renew ${service.name}`,
      await session.run({
        playbook: service.playbook,
        extra: { ...extra, ...(ownCaDue ? {} : { [service.createCaFlag]: false }) },
        limit,
        renewal: true,
      }),
      limit,
    );
  }
  if (due.length === 0) progress.say(`nothing expires within ${within}`);
  const code = progress.exitCode();
  if (code === EXIT.ok && report.summary.hosts_with_errors.length > 0) return EXIT.unreachable;
  // Something only its owner can renew is still due: say so in the exit status too.
  return code === EXIT.ok && userDue.length > 0 ? EXIT.hostFailed : code;
}
