/** The `cert_facts` results of a certificates-list.yml run, gathered per host for printing and deciding. */
import type { CertFact, CertFacts } from '../modules/lifecycle/fact-types.js';
import type { RotationState } from './rotation-state.js';
import type { RunOutcome } from './session.js';

export interface HostReport {
  sections: CertFacts[];
  /** The host could not be read (unreachable, facts not gathered...). */
  error?: string;
}

export interface FleetReport {
  generated: string;
  renew_before_days: number;
  rotation: RotationState | null;
  hosts: Record<string, HostReport>;
  summary: { certificates: number; ok: number; renew: number; error: number; hosts_with_errors: string[] };
}

export function fleetReport(
  run: RunOutcome,
  rotation: RotationState | null,
  windowDays: number,
): FleetReport {
  const hosts: Record<string, HostReport> = {};
  const host = (h: string): HostReport => {
    hosts[h] ??= { sections: [] };
    return hosts[h];
  };
  for (const r of run.results) {
    const facts = r.result?.cert_facts as CertFacts | undefined;
    if (facts && r.status !== 'failed' && r.status !== 'unreachable') host(r.host).sections.push(facts);
    else if (r.status === 'failed' || r.status === 'unreachable') host(r.host).error ??= r.msg ?? r.status;
  }
  const all: CertFact[] = Object.values(hosts).flatMap((h) => h.sections.flatMap((s) => s.certificates));
  return {
    generated: new Date().toISOString(),
    renew_before_days: windowDays,
    rotation,
    hosts,
    summary: {
      certificates: all.length,
      ok: all.filter((c) => c.status === 'ok').length,
      renew: all.filter((c) => c.status === 'renew').length,
      error: all.filter((c) => c.status === 'error').length,
      hosts_with_errors: Object.entries(hosts)
        .filter(([, h]) => h.error)
        .map(([name]) => name),
    },
  };
}

/** Something is missing, invalid, or due: `list` exits non-zero. */
export function needsAttention(r: FleetReport): boolean {
  return r.summary.renew > 0 || r.summary.error > 0 || r.summary.hosts_with_errors.length > 0;
}

/** Certificates (with their host and service) that expire within `windowMs` from `now`. */
export function dueWithin(
  r: FleetReport,
  now: Date,
  windowMs: number,
): { host: string; service: string; cert: CertFact }[] {
  const out: { host: string; service: string; cert: CertFact }[] = [];
  for (const [host, h] of Object.entries(r.hosts)) {
    for (const s of h.sections) {
      for (const cert of s.certificates) {
        if (cert.not_after && Date.parse(cert.not_after) - now.getTime() <= windowMs)
          out.push({ host, service: s.service, cert });
      }
    }
  }
  return out;
}
