/**
 * One raft member's view of its cluster, read from ovsdb-server's `cluster/status` (unixctl), and
 * what a health check makes of it. Shared by the ovn_raft_* modules.
 */
import { shellQuote } from '../builtin/support/shell.js';
import type { PlanContext } from '../types.js';

export type RaftDb = 'nb' | 'sb';

export const SCHEMA_NAME: Record<RaftDb, string> = { nb: 'OVN_Northbound', sb: 'OVN_Southbound' };

export const DEFAULT_CONTROL: Record<RaftDb, string> = {
  nb: '/var/run/ovn/ovnnb_db.ctl',
  sb: '/var/run/ovn/ovnsb_db.ctl',
};

export const DEFAULT_DB_FILE: Record<RaftDb, string> = {
  nb: '/var/lib/ovn/ovnnb_db.db',
  sb: '/var/lib/ovn/ovnsb_db.db',
};

export interface RaftServer {
  /** Short server id, as `cluster/status` prints it (4 hex digits). */
  sid: string;
  address: string;
  self: boolean;
  /** Milliseconds since the last message from this server (printed by leaders; null when absent). */
  lastMsgMs: number | null;
}

export interface RaftStatus {
  clusterId: string | null;
  serverId: string | null;
  address: string | null;
  /** "cluster member", "joining cluster", "leaving cluster", "disconnected from the cluster (...)"... */
  status: string | null;
  role: string | null;
  term: number | null;
  /** A server id, "self", or null when unknown. */
  leader: string | null;
  electionTimerMs: number | null;
  uncommitted: number | null;
  unapplied: number | null;
  servers: RaftServer[];
}

/**
 * What answered on the control socket: a raft member; a server that left its cluster (it keeps
 * running with no database); a server whose database is not clustered; nothing; or an error.
 */
export type RaftProbe =
  | { state: 'member'; status: RaftStatus }
  | { state: 'left' | 'standalone' | 'down' | 'error'; detail: string };

function numberField(text: string | null): number | null {
  if (text === null) return null;
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? n : null;
}

/** The parts of `cluster/status <DB>` output that the upgrade needs. */
export function parseRaftStatus(text: string): RaftStatus {
  const field = (name: string) => text.match(new RegExp(`^${name}: (.+)$`, 'm'))?.[1]?.trim() ?? null;
  const fullId = (name: string) => {
    const v = field(name);
    if (v === null || /not yet known/.test(v)) return null;
    return v.match(/\(([0-9a-f-]{36})\)/)?.[1] ?? v.split(/\s/)[0] ?? null;
  };
  const leader = field('Leader');
  const servers: RaftServer[] = [];
  const list = text.split(/^Servers:\s*$/m)[1] ?? '';
  for (const line of list.split('\n')) {
    const m = line.match(/^\s+(\S+) \((\S+) at ([^)\s]+)\)(.*)$/);
    if (!m) continue;
    const rest = m[4] ?? '';
    servers.push({
      sid: m[1] as string,
      address: m[3] as string,
      self: /\(self\)/.test(rest),
      lastMsgMs: numberField(rest.match(/last msg (\d+) ms ago/)?.[1] ?? null),
    });
  }
  return {
    clusterId: fullId('Cluster ID'),
    serverId: field('Server ID')?.split(/\s/)[0] ?? null,
    address: field('Address'),
    status: field('Status'),
    role: field('Role'),
    term: numberField(field('Term')),
    leader: leader === null || leader === 'unknown' ? null : leader,
    electionTimerMs: numberField(field('Election timer')),
    uncommitted: numberField(field('Entries not yet committed')),
    unapplied: numberField(field('Entries not yet applied')),
    servers,
  };
}

export function statusCommand(control: string, db: RaftDb, timeout: number): string {
  return ['ovn-appctl', '-t', control, `--timeout=${timeout}`, 'cluster/status', SCHEMA_NAME[db]]
    .map(shellQuote)
    .join(' ');
}

/** Reads this member's status; never throws for a server that is down or out of its cluster. */
export async function probeMember(
  ctx: PlanContext,
  control: string,
  db: RaftDb,
  timeout: number,
): Promise<RaftProbe> {
  const r = await ctx.target.query(statusCommand(control, db, timeout), { timeoutMs: (timeout + 5) * 1000 });
  const out = `${r.stderr}\n${r.stdout}`.trim();
  const last = out.split('\n').slice(-2).join(' | ');
  if (r.rc === 0) return { state: 'member', status: parseRaftStatus(r.stdout) };
  // After cluster/leave completes the server keeps running without the database.
  if (/unknown cluster|unknown database/.test(out)) return { state: 'left', detail: last };
  if (/not a valid command/.test(out)) return { state: 'standalone', detail: last };
  if (/cannot connect|No such file|Connection refused|cannot read pidfile/.test(out))
    return { state: 'down', detail: last };
  return { state: 'error', detail: last || `exit ${r.rc}` };
}

/** The raft address written in a clustered database file; null when the file is absent or standalone. */
export async function fileAddress(ctx: PlanContext, file: string): Promise<string | null> {
  const st = await ctx.target.stat(file);
  if (st?.type !== 'file') return null;
  const r = await ctx.target.query(['ovsdb-tool', 'db-local-address', file].map(shellQuote).join(' '), {
    timeoutMs: 30_000,
  });
  const text = r.stdout.trim();
  return r.rc === 0 && /^[a-z]+:/.test(text) ? text : null;
}

/** `tcp:10.0.0.1:6643` -> `10.0.0.1:6643` (the part that stays when the protocol changes). */
export function endpoint(address: string): string {
  const colon = address.indexOf(':');
  return colon < 0 ? address : address.slice(colon + 1);
}

export function protocolOf(address: string): string {
  const colon = address.indexOf(':');
  return colon < 0 ? '' : address.slice(0, colon);
}

/** The same endpoint with another protocol. */
export function withProtocol(address: string, protocol: string): string {
  return `${protocol}:${endpoint(address)}`;
}

/** Join remotes: members already on `protocol` first (the others are converted later and go away). */
export function orderRemotes(addresses: readonly string[], protocol: string): string[] {
  const unique = [...new Set(addresses)];
  return [
    ...unique.filter((a) => protocolOf(a) === protocol),
    ...unique.filter((a) => protocolOf(a) !== protocol),
  ];
}

/** A registered, JSON-friendly form of a probe. */
export function probeResult(probe: RaftProbe): Record<string, unknown> {
  if (probe.state !== 'member')
    return { state: probe.state, detail: probe.detail, running: probe.state !== 'down' };
  const s = probe.status;
  return {
    state: 'member',
    running: true,
    cluster_id: s.clusterId,
    server_id: s.serverId,
    address: s.address,
    status: s.status,
    role: s.role,
    term: s.term,
    leader: s.leader,
    election_timer_ms: s.electionTimerMs,
    uncommitted: s.uncommitted,
    unapplied: s.unapplied,
    servers: s.servers.map((x) => ({
      sid: x.sid,
      address: x.address,
      self: x.self,
      last_msg_ms: x.lastMsgMs,
    })),
    addresses: s.servers.map((x) => x.address),
  };
}
