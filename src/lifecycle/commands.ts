/** `certificates list`, `reissue` and `renew`. */
import { EXIT } from '../cli/exit-codes.js';
import { OvnctlError } from '../errors.js';
import { groupHosts } from '../inventory/parse.js';
import { parseDuration } from '../pki/ttl.js';
import { dueWithin, type FleetReport, fleetReport, needsAttention } from './fleet-report.js';
import { formatList } from './list-format.js';
import type { Progress } from './outcome.js';
import { inProgress, readState } from './rotation-state.js';
import {
  CA_PLAYBOOK,
  deployed,
  LIST_PLAYBOOK,
  SERVICES,
  type ServiceDef,
  serviceByName,
} from './services.js';
import type { Session } from './session.js';

export interface Scope {
  /** --limit hosts (undefined: every host). */
  limit: ReadonlySet<string> | undefined;
  json: boolean;
}

async function readFleet(
  session: Session,
  within: string | undefined,
  limit: Scope['limit'],
): Promise<FleetReport> {
  const windowMs = parseDuration(within ?? '10d', '--within');
  const run = await session.run({
    playbook: LIST_PLAYBOOK,
    ...(within ? { extra: { pki_renew_before: within } } : {}),
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

/** Hosts to reissue on, per service; a selected host that does not run the service is an error. */
function reissueTargets(
  session: Session,
  what: string,
  limit: Scope['limit'],
): { service: ServiceDef; hosts: string[] }[] {
  const inv = session.loaded.inventory;
  if (what === 'all') {
    const targets = deployed(inv).map((d) => ({
      service: d.service,
      hosts: d.hosts.filter((h) => !limit || limit.has(h)),
    }));
    const covered = new Set(targets.flatMap((t) => t.hosts));
    const bare = limit ? [...limit].filter((h) => !covered.has(h)) : [];
    if (bare.length > 0) {
      throw new OvnctlError('usage', `no service with certificates is deployed on ${bare.join(', ')}`, {
        hint: `services: ${SERVICES.map((s) => `${s.name} (group ${s.group})`).join(', ')}`,
      });
    }
    const selected = targets.filter((t) => t.hosts.length > 0);
    if (selected.length === 0)
      throw new OvnctlError('usage', 'no service with certificates is deployed in this inventory', {
        hint: `services: ${SERVICES.map((s) => `${s.name} (group ${s.group})`).join(', ')}`,
      });
    return selected;
  }
  const service = serviceByName(what);
  if (!service) {
    throw new OvnctlError('usage', `unknown service '${what}'`, {
      hint: `one of: ${[...SERVICES.map((s) => s.name), 'all'].join(', ')}`,
    });
  }
  const hosts = groupHosts(inv, service.group);
  if (hosts.length === 0)
    throw new OvnctlError(
      'usage',
      `${service.name} is not deployed on any host (group ${service.group} is empty)`,
    );
  const outside = limit ? [...limit].filter((h) => !hosts.includes(h)) : [];
  if (outside.length > 0) {
    throw new OvnctlError(
      'usage',
      `${service.name} is not deployed on ${outside.join(', ')} (not in group ${service.group})`,
    );
  }
  return [{ service, hosts: limit ? hosts.filter((h) => limit.has(h)) : hosts }];
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
      hosts: t.hosts,
      key: t.service.regenFlag,
      command: session.command,
    });
    const limit = new Set(t.hosts);
    const o = await session.run({
      playbook: t.service.playbook,
      extra: { [t.service.regenFlag]: true },
      limit,
    });
    progress.record(`reissue ${t.service.name}`, o, limit);
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
  const extra = { pki_renew_before: within };
  // The CAs are renewed by their own run only: a service playbook's CA play would renew them
  // again whenever the window is longer than their lifetime.
  const serviceExtra = (s: ServiceDef) => ({ ...extra, [s.createCaFlag]: false });
  if (caDue.length > 0) {
    progress.say(
      `CA ${caDue.map((d) => d.cert.name).join(', ')} expire${caDue.length > 1 ? '' : 's'} within ${within}: renewing, then every service`,
    );
    progress.record('renew CA', await session.run({ playbook: CA_PLAYBOOK, extra, renewal: true }));
    for (const { service, hosts } of deployed(session.loaded.inventory)) {
      const limit = scope.limit ? new Set(hosts.filter((h) => scope.limit?.has(h))) : undefined;
      if (limit?.size === 0) continue;
      progress.record(
        `renew ${service.name}`,
        await session.run({ playbook: service.playbook, extra: serviceExtra(service), limit, renewal: true }),
        limit,
      );
    }
  } else {
    for (const service of SERVICES) {
      const hosts = [...new Set(leafDue.filter((d) => d.service === service.name).map((d) => d.host))];
      if (hosts.length === 0) continue;
      progress.say(
        `${service.name}: ${leafDue
          .filter((d) => d.service === service.name)
          .map((d) => `${d.cert.name} on ${d.host}`)
          .join(', ')} expire(s) within ${within}`,
      );
      const limit = new Set(hosts);
      progress.record(
        `renew ${service.name}`,
        await session.run({ playbook: service.playbook, extra: serviceExtra(service), limit, renewal: true }),
        limit,
      );
    }
  }
  if (due.length === 0) progress.say(`nothing expires within ${within}`);
  const code = progress.exitCode();
  if (code === EXIT.ok && report.summary.hosts_with_errors.length > 0) return EXIT.unreachable;
  // Something only its owner can renew is still due: say so in the exit status too.
  return code === EXIT.ok && userDue.length > 0 ? EXIT.hostFailed : code;
}
