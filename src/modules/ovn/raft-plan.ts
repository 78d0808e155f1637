/**
 * `ovn_raft_plan`: from every member's status (ovn_raft_health results, one per host of the
 * central group), decides what each member needs to end with a raft address on `protocol`, in
 * host order, and refuses a cluster ovnctl cannot convert safely: a member down, members of
 * different clusters, or a member that is no host of the group. Computes only; changes nothing.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { endpoint, orderRemotes, protocolOf, type RaftDb, SCHEMA_NAME, withProtocol } from './raft-status.js';

/** What one ovn_raft_health call registered (the fields the plan reads). */
export interface ProbeInput {
  member?: string;
  item?: unknown;
  state?: string;
  detail?: string;
  cluster_id?: string | null;
  address?: string | null;
  addresses?: string[];
  file_address?: string | null;
}

export interface RaftPlanParams {
  db: RaftDb;
  /** Every host of the central group, in the order they are converted. */
  hosts: string[];
  probes: ProbeInput[];
  protocol?: 'ssl' | 'tcp';
}

/** none: done; convert: leave and rejoin; rejoin: already left, join again; recreate: a one-member cluster. */
export type RaftAction = 'none' | 'convert' | 'rejoin' | 'recreate';

export interface RaftPlan {
  clustered: boolean;
  pending: boolean;
  actions: Record<string, RaftAction>;
  addresses: Record<string, string | null>;
  targets: Record<string, string | null>;
  /** Remotes each member will join through if the members before it succeed (what check mode shows). */
  joinVia: Record<string, string[]>;
  order: string[];
  lines: string[];
}

function hostOf(p: ProbeInput): string {
  return String(p.member ?? p.item ?? '');
}

export function planCluster(p: RaftPlanParams): RaftPlan {
  const protocol = p.protocol ?? 'ssl';
  const schema = SCHEMA_NAME[p.db];
  const byHost = new Map<string, ProbeInput>();
  for (const probe of p.probes) byHost.set(hostOf(probe), probe);
  const missing = p.hosts.filter((h) => !byHost.has(h));
  if (missing.length > 0) fail(`${schema}: no status from ${missing.join(', ')}`);
  const probes = p.hosts.map((h) => [h, byHost.get(h) as ProbeInput] as const);

  const standalone = probes.filter(([, x]) => x.state === 'standalone').map(([h]) => h);
  const empty: RaftPlan = {
    clustered: false,
    pending: false,
    actions: Object.fromEntries(p.hosts.map((h) => [h, 'none'])),
    addresses: Object.fromEntries(p.hosts.map((h) => [h, null])),
    targets: Object.fromEntries(p.hosts.map((h) => [h, null])),
    joinVia: {},
    order: [],
    lines: [`${schema} is not clustered: no raft members to convert`],
  };
  if (standalone.length === p.hosts.length) return empty;
  if (standalone.length > 0)
    fail(`${schema} is clustered on some hosts but standalone on ${standalone.join(', ')}: not one cluster`);

  const problems = probes
    .filter(([, x]) => x.state !== 'member' && x.state !== 'left')
    .map(
      ([h, x]) =>
        `${h}: ${x.state === 'down' ? 'ovsdb-server does not answer' : 'status unreadable'} (${x.detail ?? ''})`,
    );
  if (problems.length > 0)
    fail(
      `${schema}: ${problems.join('; ')}. ovnctl converts a running, healthy cluster only: start the member (a member ` +
        'whose database file was already rejoined with ssl finishes joining when started) and run again',
    );
  const clusters = new Set(probes.flatMap(([, x]) => (x.cluster_id ? [x.cluster_id] : [])));
  if (clusters.size > 1)
    fail(`${schema}: the hosts belong to different clusters (${[...clusters].join(', ')})`);

  const addresses: Record<string, string | null> = {};
  for (const [h, x] of probes)
    addresses[h] = x.state === 'member' ? (x.address ?? null) : (x.file_address ?? null);
  const known = new Set(Object.values(addresses).flatMap((a) => (a ? [endpoint(a)] : [])));
  const strangers = [...new Set(probes.flatMap(([, x]) => x.addresses ?? []))].filter(
    (a) => !known.has(endpoint(a)),
  );
  if (strangers.length > 0)
    fail(
      `${schema}: the cluster lists ${strangers.join(', ')}, which is no host of the central group: ` +
        'ovnctl converts only members it manages (add the host to the group, or remove it from the cluster)',
    );

  const members = probes.filter(([, x]) => x.state === 'member');
  const listedBy = (h: string) => byHost.get(h)?.addresses?.length ?? 0;
  const actions: Record<string, RaftAction> = {};
  const targets: Record<string, string | null> = {};
  for (const [h, x] of probes) {
    const a = addresses[h] ?? null;
    if (a === null) fail(`${schema}: ${h} has left the cluster and has no database file to tell its address`);
    targets[h] = withProtocol(a, protocol);
    if (x.state === 'left') actions[h] = 'rejoin';
    else if (protocolOf(a) === protocol) actions[h] = 'none';
    else actions[h] = p.hosts.length === 1 && listedBy(h) === 1 ? 'recreate' : 'convert';
  }
  if (members.length === 0)
    fail(`${schema}: no host is a member of the cluster any more; restore from the backups`);

  const order = p.hosts.filter((h) => actions[h] !== 'none');
  const current = { ...addresses };
  const joinVia: Record<string, string[]> = {};
  const lines: string[] = [];
  const n = p.hosts.length;
  lines.push(
    order.length === 0
      ? `${schema}: all ${n} member(s) use ${protocol}: nothing to do`
      : `${schema}: ${n} member(s), ${order.length} to move to ${protocol}, one at a time:`,
  );
  for (const h of order) {
    const others = p.hosts.filter((o) => o !== h).flatMap((o) => (current[o] ? [current[o] as string] : []));
    const via = orderRemotes(others, protocol);
    joinVia[h] = via;
    const from = actions[h] === 'rejoin' ? `(left) ${addresses[h]}` : String(addresses[h]);
    const how =
      actions[h] === 'recreate'
        ? 'stop, copy the data to a standalone file, create the cluster again from it, start'
        : `${actions[h] === 'convert' ? 'leave, wait until the others no longer list it, ' : ''}stop, remove the database file, join via ${via.join(',')}, start, wait until it has caught up`;
    lines.push(`  ${h}: ${from} -> ${targets[h]}: ${how}`);
    current[h] = targets[h] ?? null;
  }
  return { clustered: true, pending: order.length > 0, actions, addresses, targets, joinVia, order, lines };
}

export const ovnRaftPlanModule = defineModule<RaftPlanParams>({
  name: 'ovn_raft_plan',
  schema: 'ovn_raft_plan',
  plan: (p) =>
    planOrFail(async (): Promise<Plan> => {
      if (p.hosts.length === 0) fail('hosts is empty: no central hosts in the inventory');
      const plan = planCluster(p);
      return {
        steps: [],
        msg: plan.lines.join('\n'),
        result: {
          db: p.db,
          clustered: plan.clustered,
          pending: plan.pending,
          size: p.hosts.length,
          actions: plan.actions,
          addresses: plan.addresses,
          targets: plan.targets,
          join_via: plan.joinVia,
          order: plan.order,
          plan: plan.lines,
        },
      };
    }),
});
