/**
 * `ovn_raft_health`: read-only. Reads this member's raft status and, optionally, waits (bounded)
 * until it shows what the caller expects: a healthy member (leader elected, nothing unapplied,
 * on a leader every other member heard from recently), a number of members, addresses listed or
 * gone. Fails with what is still wrong when the bound passes. With no expectation it only reports
 * (a member that is down or has left is then a result, not a failure).
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { DEFAULT_TIMEOUT, toCount } from './common.js';
import {
  DEFAULT_CONTROL,
  fileAddress,
  probeMember,
  probeResult,
  protocolOf,
  type RaftDb,
  type RaftProbe,
  SCHEMA_NAME,
} from './raft-status.js';

export interface HealthParams {
  db: RaftDb;
  control?: string;
  /** The database file: when the member does not answer as one, its raft address is read from it. */
  db_file?: string;
  /** Seconds one cluster/status call may take. */
  timeout?: number | string;
  /** Seconds to keep trying until the expectations hold (0: look once). */
  wait?: number | string;
  interval_ms?: number | string;
  healthy?: boolean;
  members?: number | string | null;
  present?: string[];
  absent?: string[];
  /** This member's own raft address must be this. */
  address?: string;
  /** This member and every member it lists must use this protocol (e.g. ssl). */
  protocol?: string;
  /** A leader counts a member silent for longer as disconnected (default: twice the election timer, at least 2 s). */
  stale_ms?: number | string | null;
}

export interface HealthExpect {
  healthy: boolean;
  members?: number | undefined;
  present?: readonly string[];
  absent?: readonly string[];
  address?: string | undefined;
  protocol?: string | undefined;
  staleMs?: number | undefined;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Everything that keeps `probe` from meeting `expect` (empty: it does). */
export function healthProblems(probe: RaftProbe, expect: HealthExpect): string[] {
  const wantsSomething =
    expect.healthy ||
    expect.members !== undefined ||
    (expect.present?.length ?? 0) > 0 ||
    (expect.absent?.length ?? 0) > 0 ||
    expect.address !== undefined ||
    expect.protocol !== undefined;
  if (!wantsSomething) return [];
  if (probe.state !== 'member') {
    const what = {
      left: 'has left its cluster (the server runs without the database)',
      standalone: 'is not clustered',
      down: 'does not answer (ovsdb-server is not running?)',
      error: 'cannot be read',
    }[probe.state];
    return [`the member ${what}: ${probe.detail}`];
  }
  const s = probe.status;
  const problems: string[] = [];
  const listed = s.servers.map((x) => x.address);
  if (expect.healthy) {
    if (s.status !== 'cluster member') problems.push(`status is "${s.status ?? 'unknown'}"`);
    if (s.leader === null) problems.push('no leader is known');
    if (s.unapplied === null) problems.push('"Entries not yet applied" is missing from the status');
    else if (s.unapplied > 0) problems.push(`${plural(s.unapplied, 'entry', 'entries')} not yet applied`);
    if (s.role === 'leader') {
      const stale = expect.staleMs ?? Math.max(2000, 2 * (s.electionTimerMs ?? 1000));
      for (const x of s.servers) {
        if (x.self) continue;
        if (x.lastMsgMs === null) problems.push(`the leader has not heard from ${x.address}`);
        else if (x.lastMsgMs > stale)
          problems.push(`the leader last heard from ${x.address} ${x.lastMsgMs} ms ago`);
      }
    }
  }
  if (expect.members !== undefined && s.servers.length !== expect.members) {
    problems.push(
      `${plural(s.servers.length, 'member', 'members')} listed (${listed.join(', ') || 'none'}), expected ${expect.members}`,
    );
  }
  for (const a of expect.present ?? []) if (!listed.includes(a)) problems.push(`${a} is not listed`);
  for (const a of expect.absent ?? []) if (listed.includes(a)) problems.push(`${a} is still listed`);
  if (expect.address !== undefined && s.address !== expect.address)
    problems.push(`its address is ${s.address ?? 'unknown'}, expected ${expect.address}`);
  if (expect.protocol !== undefined) {
    const other = [s.address ?? '', ...listed].filter((a) => protocolOf(a) !== expect.protocol);
    if (other.length > 0) problems.push(`not on ${expect.protocol}: ${[...new Set(other)].join(', ')}`);
  }
  return problems;
}

function seconds(v: number | string | undefined, what: string): number {
  if (v === undefined || v === '') return 0;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (!Number.isFinite(n) || n < 0) fail(`${what} must be a number of seconds, got ${JSON.stringify(v)}`);
  return n;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export const ovnRaftHealthModule = defineModule<HealthParams>({
  name: 'ovn_raft_health',
  schema: 'ovn_raft_health',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const control = p.control || DEFAULT_CONTROL[p.db];
      const timeout = toCount(p.timeout, 'timeout', DEFAULT_TIMEOUT) || DEFAULT_TIMEOUT;
      const waitMs = seconds(p.wait, 'wait') * 1000;
      const intervalMs = Math.max(50, toCount(p.interval_ms, 'interval_ms', 1000));
      const expect: HealthExpect = {
        healthy: p.healthy ?? true,
        members:
          p.members === null || p.members === undefined || p.members === ''
            ? undefined
            : toCount(p.members, 'members', 0),
        present: p.present ?? [],
        absent: p.absent ?? [],
        address: p.address || undefined,
        protocol: p.protocol || undefined,
        staleMs:
          p.stale_ms === null || p.stale_ms === undefined || p.stale_ms === ''
            ? undefined
            : toCount(p.stale_ms, 'stale_ms', 0),
      };
      const started = Date.now();
      // Bounded twice: by the clock and by a number of attempts.
      const attempts = Math.ceil(waitMs / intervalMs) + 1;
      let probe: RaftProbe = { state: 'error', detail: 'not read' };
      let problems: string[] = [];
      for (let attempt = 1; attempt <= attempts; attempt++) {
        probe = await probeMember(ctx, control, p.db, timeout);
        problems = healthProblems(probe, expect);
        if (problems.length === 0) break;
        if (attempt === attempts || Date.now() - started + intervalMs > waitMs) break;
        await sleep(intervalMs);
      }
      const where = `${SCHEMA_NAME[p.db]} on ${ctx.target.host}`;
      const file = probe.state !== 'member' && p.db_file ? await fileAddress(ctx, p.db_file) : null;
      const result = {
        member: ctx.target.host,
        db: p.db,
        ...probeResult(probe),
        ...(p.db_file ? { file_address: file } : {}),
        healthy: healthProblems(probe, { healthy: true }).length === 0,
        problems,
        waited_ms: Date.now() - started,
      };
      if (problems.length === 0) return { steps: [], result };
      const after = waitMs > 0 ? ` (still after ${Math.round((Date.now() - started) / 1000)} s)` : '';
      return { steps: [], result, failed: `${where}: ${problems.join('; ')}${after}` };
    }),
});
