/**
 * `ovn_raft_member`: moves one member of an NB or SB raft cluster to a new raft address (tcp: to
 * ssl:), the way the cluster allows it: the member leaves (state=left), and once the others no
 * longer list it (the playbook waits for that with ovn_raft_health), it is stopped, its database
 * file replaced by one that joins the cluster again with the new address, and started
 * (state=joined). A one-member cluster cannot leave: its data is copied to a standalone file and
 * the cluster created again from it. Each state plans nothing once it holds.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { shellQuote } from '../builtin/support/shell.js';
import { defineModule, type Plan, type Step } from '../types.js';
import { because, DEFAULT_TIMEOUT, toCount } from './common.js';
import {
  DEFAULT_CONTROL,
  DEFAULT_DB_FILE,
  endpoint,
  fileAddress,
  orderRemotes,
  probeMember,
  protocolOf,
  type RaftDb,
  SCHEMA_NAME,
} from './raft-status.js';
import { parseTarget } from './targets.js';

export interface MemberParams {
  db: RaftDb;
  state: 'left' | 'joined';
  /** The member's raft address when done (e.g. ssl:10.0.0.1:6643). */
  address: string;
  /** Members to join through (state=joined); empty for a one-member cluster. */
  remotes?: string[];
  control?: string;
  db_file?: string;
  stop_command?: string;
  start_command?: string;
  /** Seconds a ctl call may take. */
  timeout?: number | string;
  /** Seconds the stop and start commands may take (each), and the server to go away after stop. */
  command_timeout?: number | string;
}

const q = shellQuote;

function checkRaftAddress(label: string, a: string): void {
  const t = parseTarget(a);
  if (typeof t === 'string' || (t.protocol !== 'ssl' && t.protocol !== 'tcp'))
    fail(`${label}: "${a}" is not a raft address like ssl:10.0.0.1:6643`);
}

/** A shell command the operator configured, bounded: killed when it runs longer than `seconds`. */
export function bounded(command: string, seconds: number): string {
  return `timeout -k 5 ${seconds} sh -c ${q(command)}`;
}

/** Succeeds once nothing answers on `control` any more; fails after `seconds`. */
export function waitGone(control: string, seconds: number): string {
  const script =
    `n=0; while ovn-appctl -t ${q(control)} --timeout=1 version >/dev/null 2>&1; do n=$((n+1)); ` +
    `if [ $n -ge ${seconds} ]; then echo ${q(`${control} still answers ${seconds} s after the stop command`)} >&2; exit 1; fi; ` +
    'sleep 1; done';
  return `sh -c ${q(script)}`;
}

interface Commands {
  control: string;
  file: string;
  stop: string;
  start: string;
  seconds: number;
}

function commands(p: MemberParams): Commands {
  const seconds = toCount(p.command_timeout, 'command_timeout', 120) || 120;
  return {
    control: p.control || DEFAULT_CONTROL[p.db],
    file: p.db_file || DEFAULT_DB_FILE[p.db],
    stop: p.stop_command ?? '',
    start: p.start_command ?? '',
    seconds,
  };
}

function needCommands(c: Commands): void {
  if (c.stop.trim() === '' || c.start.trim() === '')
    fail(
      'stop_command and start_command are needed to restart the member (e.g. systemctl stop ovn-ovsdb-server-nb)',
    );
}

export const ovnRaftMemberModule = defineModule<MemberParams>({
  name: 'ovn_raft_member',
  schema: 'ovn_raft_member',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      checkRaftAddress('address', p.address);
      const schema = SCHEMA_NAME[p.db];
      const c = commands(p);
      if (!c.file.startsWith('/')) fail(`db_file must be an absolute path, got "${c.file}"`);
      const timeout = toCount(p.timeout, 'timeout', DEFAULT_TIMEOUT) || DEFAULT_TIMEOUT;
      const probe = await probeMember(ctx, c.control, p.db, timeout);
      const base = { db: p.db, address: p.address, state: probe.state };

      if (p.state === 'left') {
        if (probe.state === 'member' && probe.status.address === p.address)
          return { steps: [], result: { ...base, done: true } };
        if (probe.state === 'left') return { steps: [], result: { ...base, done: true } };
        if (probe.state === 'down') {
          if ((await fileAddress(ctx, c.file)) === p.address)
            return { steps: [], result: { ...base, done: true } };
          fail(`${schema} on ${ctx.target.host} is not running (${probe.detail}): start it and run again`);
        }
        if (probe.state !== 'member')
          return fail(`${schema} on ${ctx.target.host}: ${probe.state} (${probe.detail})`);
        const status = probe.status;
        if (status.status === 'leaving cluster') return { steps: [], result: { ...base, done: false } };
        if (status.servers.length <= 1)
          fail(
            `${schema} on ${ctx.target.host} is the only member: it cannot leave (it is created again instead)`,
          );
        const remaining = status.servers.filter((s) => !s.self).map((s) => s.address);
        return {
          steps: [
            {
              kind: 'exec',
              command: ['ovn-appctl', '-t', c.control, `--timeout=${timeout}`, 'cluster/leave', schema]
                .map(q)
                .join(' '),
              why: because(
                ctx,
                `leave the ${schema} cluster as ${status.address} (to rejoin as ${p.address})`,
              ),
            },
          ],
          result: { ...base, done: false, previous: status.address, server_id: status.serverId, remaining },
        };
      }

      // state=joined
      const status = probe.state === 'member' ? probe.status : null;
      needCommands(c);
      const remotes = orderRemotes(p.remotes ?? [], protocolOf(p.address));
      for (const r of remotes) checkRaftAddress('remotes', r);
      if (remotes.some((r) => endpoint(r) === endpoint(p.address)))
        fail(`remotes must not contain the member itself (${endpoint(p.address)})`);
      if (status?.address === p.address) return { steps: [], result: { ...base, action: 'none' } };
      if (probe.state === 'error' || probe.state === 'standalone')
        fail(`${schema} on ${ctx.target.host}: ${probe.state} (${probe.detail})`);
      const alone = status !== null && status.servers.length <= 1;
      // A server that is leaving keeps its old view of the members until it stops; the play has
      // already waited until the remaining members no longer list it.
      const leaving = /^(leaving|left)/.test(status?.status ?? '');
      if (status && !alone && !leaving && !ctx.check) {
        // Never remove the file of a member the cluster still counts on.
        fail(
          `${schema} on ${ctx.target.host} is still a member as ${status.address}: it must leave the cluster before its database file is replaced`,
        );
      }
      if (alone && remotes.length > 0)
        fail(`${schema} on ${ctx.target.host} is a one-member cluster: remotes must be empty`);
      if (!alone && remotes.length === 0) fail('remotes is empty: name the members to join through');

      const running = probe.state !== 'down';
      const file = await fileAddress(ctx, c.file);
      if (!running && file !== null && file !== p.address)
        fail(
          `${schema} on ${ctx.target.host} is not running (${probe.detail}) and its database file still has the address ${file}: start it and run again`,
        );
      const fileStat = await ctx.target.stat(c.file);
      const steps: Step[] = [];
      const stop = () => {
        if (!running) return;
        steps.push(
          {
            kind: 'exec',
            command: bounded(c.stop, c.seconds),
            why: because(ctx, `stop ${schema} (${c.stop})`),
          },
          {
            kind: 'exec',
            command: waitGone(c.control, c.seconds),
            why: because(ctx, `wait until ${schema} has stopped (at most ${c.seconds} s)`),
          },
        );
      };
      const start = () =>
        steps.push({
          kind: 'exec',
          command: bounded(c.start, c.seconds),
          why: because(ctx, `start ${schema} (${c.start})`),
        });
      const keepMode = () => {
        if (fileStat?.type === 'file')
          steps.push({
            kind: 'attributes',
            path: c.file,
            mode: fileStat.mode,
            why: because(ctx, `give ${c.file} its mode ${fileStat.mode.toString(8).padStart(4, '0')} again`),
          });
      };

      let action: string;
      if (file === p.address) {
        // Joined already (an earlier run stopped before the start, or the start failed).
        action = 'start';
        stop();
        start();
      } else if (alone) {
        action = 'recreate';
        const tmp = `${c.file}.ovnctl-standalone`;
        stop();
        steps.push(
          { kind: 'remove', path: tmp, why: because(ctx, `remove a leftover ${tmp}`) },
          {
            kind: 'exec',
            command: ['ovsdb-tool', 'cluster-to-standalone', tmp, c.file].map(q).join(' '),
            why: because(ctx, `copy the ${schema} data to the standalone file ${tmp}`),
          },
          { kind: 'remove', path: c.file, why: because(ctx, `remove ${c.file} (its data is in ${tmp})`) },
          {
            kind: 'exec',
            command: ['ovsdb-tool', 'create-cluster', c.file, tmp, p.address].map(q).join(' '),
            why: because(ctx, `create the ${schema} cluster again from ${tmp} as ${p.address}`),
          },
        );
        keepMode();
        steps.push({ kind: 'remove', path: tmp, why: because(ctx, `remove ${tmp}`) });
        start();
      } else {
        action = 'join';
        stop();
        if (fileStat)
          steps.push({
            kind: 'remove',
            path: c.file,
            why: because(ctx, `remove ${c.file}${status ? ' (once it has left the cluster)' : ''}`),
          });
        steps.push({
          kind: 'exec',
          command: ['ovsdb-tool', 'join-cluster', c.file, schema, p.address, ...remotes].map(q).join(' '),
          why: because(ctx, `join the ${schema} cluster as ${p.address} via ${remotes.join(',')}`),
        });
        keepMode();
        start();
      }
      return { steps, result: { ...base, action, remotes, file_address: file } };
    }),
});
