/** `certificates list` as text, in MicroOVN's section style (one block per host and service). */
import type { CertFact, CertFacts } from '../modules/lifecycle/fact-types.js';
import type { FleetReport } from './fleet-report.js';
import { describeStep, FLEET_STAGES, type FleetStage, type RotationState } from './rotation-state.js';
import { caSection, SERVICE_CA_SECTION, SERVICES, serviceByName } from './services.js';

function title(service: string): string {
  if (service === SERVICE_CA_SECTION) return 'Certificate authorities (PKI store)';
  const own = SERVICES.find((s) => s.ownCa && caSection(s) === service);
  if (own) return `${own.name.toUpperCase()} certificate authority (PKI store)`;
  return serviceByName(service)?.title ?? service;
}

function issuer(c: CertFact): string {
  switch (c.issued_by) {
    case 'current':
      return c.kind === 'ca' ? 'its current signer' : 'the current CA';
    case 'self':
      return 'itself (root CA)';
    case 'previous':
      return 'the previous CA (rotation in progress)';
    case 'next':
      return 'the staged next CA (not promoted yet)';
    case 'user':
      return 'a user-provided CA';
    default:
      return 'an unknown CA';
  }
}

function status(c: CertFact, windowDays: number): string {
  if (c.status === 'error') return `Error: ${c.problems.join('; ')}`;
  if (c.status === 'renew')
    return `Renew: expires within the renewal window (${windowDays} days)${c.kind === 'ca' && !c.auto_renew ? '; user-provided, ovnctl never renews it' : ''}`;
  return 'OK';
}

function certLines(c: CertFact, s: CertFacts): string[] {
  const out = [
    `${c.kind === 'ca' ? 'CA' : 'certificate'} ${c.name}${c.user_provided ? ' (user-provided)' : ''}`,
  ];
  for (const f of c.files) out.push(`  ${f.path} ${f.present ? '(OK: Present)' : '(Error: Missing file)'}`);
  if (c.subject !== undefined) {
    out.push(`  subject: ${c.subject}`);
    if (c.san && c.san.length > 0) out.push(`  SANs: ${c.san.join(', ')}`);
    out.push(`  issuer: ${c.issuer}`, `  serial: ${c.serial}`);
    out.push(`  expiration date: ${c.not_after} (${c.days_left} days left)`);
    out.push(`  issued by: ${issuer(c)}`);
    if (c.chain_ok !== undefined) out.push(`  chain: ${c.chain_ok ? 'OK' : 'does not verify'}`);
    if (c.key_matches !== undefined)
      out.push(
        `  key: ${c.key_matches === null ? 'not checked' : c.key_matches ? 'matches' : 'DOES NOT MATCH'}`,
      );
    if (c.kind === 'ca') out.push(`  Auto-renew: ${c.auto_renew ? 'true' : 'false'}`);
    if (c.next) out.push(`  staged next CA: serial ${c.next.serial}, expires ${c.next.not_after}`);
  }
  for (const e of c.endpoints) {
    out.push(
      `  served on ${e.address}:${e.port}: ${e.serves ? 'yes' : e.error ? `no (${e.error})` : `no (serves serial ${e.served_serial})`}`,
    );
  }
  out.push(`  status: ${status(c, s.renew_before_days)}`);
  return out;
}

function rotationLines(r: RotationState): string[] {
  const head = `CA rotation ${r.id} (${r.kind}) of ${r.ca}${r.cas.length > 1 ? ` (with ${r.cas.slice(1).join(', ')})` : ''}`;
  // An aborted rotation is over; one line says the CA was left as it was.
  if (r.aborted)
    return [`${head}: aborted ${r.aborted}, before its new CA was promoted: the old CA stays current`];
  const out = [
    `${head}: ${r.aborting ? 'being aborted (finish with: ovnctl certificates regenerate-ca --abort)' : `next ${describeStep(r.next)}`}`,
  ];
  for (const [host, stages] of Object.entries(r.hosts).sort()) {
    // While aborting, stages never run are not "pending" any more: only what ran is shown.
    const shown: [FleetStage, string][] = FLEET_STAGES.map((s, i): [FleetStage, string] => [
      s,
      `stage ${i + 1}`,
    ]).filter(([s]) => !r.aborting || stages[s]);
    if (stages.abort) shown.push(['abort', 'abort']);
    out.push(`  ${host}: ${shown.map(([s, label]) => `${label} ${stages[s] ?? 'pending'}`).join(', ')}`);
  }
  if (r.last_error) out.push(`  last error: ${r.last_error}`);
  return out;
}

export function formatList(report: FleetReport): string {
  const out: string[] = [];
  const rotation = report.rotation;
  if (rotation && (rotation.next !== 'done' || rotation.aborted)) out.push(...rotationLines(rotation), '');
  for (const [host, h] of Object.entries(report.hosts)) {
    out.push(`== ${host} ==`);
    if (h.error) out.push(`Error: ${h.error}`);
    for (const s of h.sections) {
      out.push(`[${title(s.service)}]`);
      if (s.certificates.length === 0) out.push('(no certificates)');
      for (const c of s.certificates) out.push(...certLines(c, s));
    }
    out.push('');
  }
  const m = report.summary;
  out.push(
    `${m.certificates} certificates: ${m.ok} OK, ${m.renew} due within ${report.renew_before_days} days, ${m.error} with errors` +
      (m.hosts_with_errors.length ? `; hosts not read: ${m.hosts_with_errors.join(', ')}` : ''),
  );
  return `${out.join('\n')}\n`;
}
