/**
 * `ovn_db_cluster`: reads a database's raft status (read-only) and reports whether the cluster
 * talks plaintext. An existing member's address is fixed in its database file: moving a cluster
 * from tcp to ssl means each member leaves and rejoins, which this module never does on its own.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { DEFAULT_TIMEOUT, toCount } from './common.js';
import { failureDetail } from './ovsdb.js';

export interface ClusterParams {
  db: 'nb' | 'sb';
  /** ovsdb-server's unixctl socket (default /var/run/ovn/ovn{nb,sb}_db.ctl). */
  control?: string;
  timeout?: number | string;
  /** Fail (rather than warn) when a clustered database has members on tcp. */
  require_ssl?: boolean;
}

export interface ClusterStatus {
  clustered: boolean;
  address: string | null;
  role: string | null;
  members: string[];
}

/** The parts of `cluster/status` output this module needs. */
export function parseClusterStatus(text: string): ClusterStatus {
  const field = (name: string) => text.match(new RegExp(`^${name}: (.+)$`, 'm'))?.[1]?.trim() ?? null;
  const servers = text.split(/^Servers:\s*$/m)[1] ?? '';
  const members = [...servers.matchAll(/\(\S+ at ([^)\s]+)\)/g)].map((m) => m[1] as string);
  return { clustered: true, address: field('Address'), role: field('Role'), members };
}

export const ovnDbClusterModule = defineModule<ClusterParams>({
  name: 'ovn_db_cluster',
  schema: 'ovn_db_cluster',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const schema = p.db === 'nb' ? 'OVN_Northbound' : 'OVN_Southbound';
      const control = p.control || `/var/run/ovn/ovn${p.db}_db.ctl`;
      const timeout = toCount(p.timeout, 'timeout', DEFAULT_TIMEOUT) || DEFAULT_TIMEOUT;
      const r = await ctx.target.query(
        `ovn-appctl -t ${control} --timeout=${timeout} cluster/status ${schema}`,
        {
          timeoutMs: (timeout + 5) * 1000,
        },
      );
      if (r.rc !== 0) {
        // A standalone database has no cluster/* commands at all.
        if (/not a valid command/.test(r.stderr + r.stdout)) {
          return {
            steps: [],
            result: { clustered: false, address: null, role: null, members: [], plaintext_members: [] },
          };
        }
        fail(`cannot read the raft status of ${schema} through ${control} (${failureDetail(r)})`);
      }
      const status = parseClusterStatus(r.stdout);
      const addresses = [
        ...new Set([status.address, ...status.members].filter((a): a is string => a !== null)),
      ];
      const plaintext = addresses.filter((a) => !a.startsWith('ssl:'));
      const result = { ...status, plaintext_members: plaintext };
      if (plaintext.length === 0) return { steps: [], result };
      const message =
        `${schema} raft members talk without TLS: ${plaintext.join(', ')}. A member's address is fixed in its database ` +
        'file: with TLS configured, rejoin each member in turn (cluster/leave, remove the file, join-cluster with ssl: addresses)';
      if (p.require_ssl) return { steps: [], failed: message, result };
      return { steps: [], warnings: [message], result };
    }),
});
