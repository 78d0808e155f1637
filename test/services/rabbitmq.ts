/**
 * Debian's rabbitmq-server (3.10) inside a rig host: a private node `rabbit@<hostname>` with its
 * own epmd (started here, so its pid is known), distribution and TLS listeners on the host's own
 * loopback address, data and logs in a work directory. The node reads the host's
 * /etc/rabbitmq/rabbitmq.conf (base settings written here) and /etc/rabbitmq/conf.d/*.conf
 * (where ovnctl writes its TLS settings). Debian's wrapper runs the node as user `rabbitmq`.
 *
 * `ctl(...)`, `ctlCommand` and `restartCommand` drive the same node from the host's shell, for
 * ovnctl's `rabbitmq_*_command` variables.
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../../src/transport/ssh/command.js';
import { acceptsTcp, descendantsOf, isAlive, killAndWait, waitUntil } from '../rig/procs.js';
import type { Rig } from '../rig/rig.js';

const run = promisify(execFile);

export interface RabbitOptions {
  address: string;
  /** Unique per test file: epmd port, distribution port and the CLI's distribution ports derive from it. */
  basePort: number;
  /** Real-filesystem directory for data, logs, pid file and scripts; its parents must be traversable by rabbitmq. */
  workDir: string;
  /** Written as /etc/rabbitmq/rabbitmq.conf before the start (listeners.tcp = none etc.). */
  baseConfig?: string;
  startTimeoutMs?: number;
}

export interface RabbitInHost {
  readonly node: string;
  /** `rabbitmqctl` with this node's environment, as a shell command prefix for the host. */
  readonly ctlCommand: string;
  /** Shell command that stops the node and starts it again in the background (counts restarts). */
  readonly restartCommand: string;
  /** Shell command that clears the PEM cache (counts cache clears). */
  readonly clearPemCacheCommand: string;
  restarts(): Promise<number>;
  cacheClears(): Promise<number>;
  /** Bounded wait until the node accepts TCP on address:port (e.g. after a restart). */
  waitForPort(port: number, timeoutMs: number): Promise<boolean>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

const RABBIT = '/usr/sbin/rabbitmq-server';

function ipTuple(address: string): string {
  return `{${address.split('.').join(',')}}`;
}

export async function startRabbitmq(rig: Rig, host: number, opts: RabbitOptions): Promise<RabbitInHost> {
  const hostName = rig.hosts[host]?.name;
  if (!hostName) throw new Error(`rabbitmq: no rig host ${host}`);
  const root = rig.hostRoot(host);
  const node = `rabbit@${hostName}`;
  const epmdPort = opts.basePort;
  const distPort = opts.basePort + 1;
  const work = opts.workDir;
  for (const d of [work, join(work, 'mnesia'), join(work, 'log')]) await mkdir(d, { recursive: true });
  await writeFile(join(work, 'enabled_plugins'), '[].\n');
  await writeFile(join(work, 'rabbitmq-env.conf'), '');
  await writeFile(join(work, 'restarts'), '');
  await writeFile(join(work, 'cache-clears'), '');
  await mkdir(join(root, 'etc/rabbitmq/conf.d'), { recursive: true });
  await writeFile(join(root, 'etc/rabbitmq/rabbitmq.conf'), opts.baseConfig ?? 'listeners.tcp = none\n');
  const { uid, gid } = await rabbitIds();
  for (const p of [work, join(work, 'mnesia'), join(work, 'log'), join(work, 'enabled_plugins')])
    await chown(p, uid, gid);
  await chmod(work, 0o755);
  // The node runs as rabbitmq: a 0700 parent (mkdtemp's default) fails its boot with an obscure error.
  const probe = await run('su', [
    'rabbitmq',
    '-s',
    '/bin/sh',
    '-c',
    `test -w ${shellQuote(join(work, 'mnesia'))}`,
  ]).then(
    () => true,
    () => false,
  );
  if (!probe)
    throw new Error(`rabbitmq: user rabbitmq cannot write ${work} (make its parent directories 0711)`);

  const dist = `-kernel inet_dist_use_interface ${ipTuple(opts.address)}`;
  const env: Record<string, string> = {
    RABBITMQ_CONF_ENV_FILE: join(work, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: '/etc/rabbitmq/rabbitmq',
    RABBITMQ_MNESIA_BASE: join(work, 'mnesia'),
    RABBITMQ_LOG_BASE: join(work, 'log'),
    RABBITMQ_PID_FILE: join(work, 'rabbit.pid'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(work, 'enabled_plugins'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: dist,
    RABBITMQ_CTL_DIST_PORT_MIN: String(opts.basePort + 2),
    RABBITMQ_CTL_DIST_PORT_MAX: String(opts.basePort + 12),
    RABBITMQ_CTL_ERL_ARGS: dist,
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: opts.address,
  };
  const envPrefix = `env ${Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)}`)
    .join(' ')}`;
  const ctlCommand = `${envPrefix} rabbitmqctl -n ${node}`;
  const startLine = `setsid ${envPrefix} ${RABBIT} >>${join(work, 'server.out')} 2>&1 </dev/null &`;
  const scripts = {
    restart: join(work, 'restart.sh'),
    clear: join(work, 'clear-pem-cache.sh'),
  };
  await writeFile(
    scripts.restart,
    [
      '#!/bin/sh',
      '# Written by test/services/rabbitmq.ts: stop the node, start it again detached.',
      `echo restart >> ${join(work, 'restarts')}`,
      `${ctlCommand} stop >/dev/null 2>&1 || true`,
      `rm -f ${join(work, 'rabbit.pid')}`,
      startLine,
      `${ctlCommand} wait ${join(work, 'rabbit.pid')} --timeout 60 >/dev/null`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  await writeFile(
    scripts.clear,
    [
      '#!/bin/sh',
      `echo clear >> ${join(work, 'cache-clears')}`,
      `exec ${ctlCommand} eval 'ssl:clear_pem_cache().'`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );

  // Our own epmd first: the node uses it instead of daemonising one whose pid we would not know.
  const epmd = rig.spawnInHost(host, ['epmd', '-port', String(epmdPort), '-address', opts.address], {
    stdio: 'ignore',
  });
  if (!(await waitForTcp(opts.address, epmdPort, 5000))) {
    if (epmd.pid !== undefined && isAlive(epmd.pid)) await killAndWait([epmd.pid], 'SIGTERM', 3000);
    throw new Error(`epmd did not listen on ${opts.address}:${epmdPort}`);
  }

  const server: ChildProcess = rig.spawnInHost(
    host,
    ['sh', '-c', startLine.replace(/^setsid /, '').replace(/ &$/, '')],
    {
      stdio: 'ignore',
    },
  );
  const firstPid = server.pid;
  let exited = false;
  server.once('exit', () => {
    exited = true;
  });

  const nodePid = async (): Promise<number | undefined> => {
    const text = await readFile(join(work, 'rabbit.pid'), 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  };

  const stop = async (): Promise<void> => {
    const pids = new Set<number>();
    const beam = await nodePid();
    if (beam !== undefined) {
      pids.add(beam);
      for (const d of descendantsOf(beam)) pids.add(d);
    }
    if (firstPid !== undefined && isAlive(firstPid)) {
      pids.add(firstPid);
      for (const d of descendantsOf(firstPid)) pids.add(d);
    }
    if (pids.size > 0) await killAndWait([...pids], 'SIGTERM', 15_000);
    if (epmd.pid !== undefined && isAlive(epmd.pid)) await killAndWait([epmd.pid], 'SIGTERM', 3000);
  };

  const started = Date.now();
  const ok = await waitUntil(
    () => exited || existsSync(join(work, 'rabbit.pid')),
    opts.startTimeoutMs ?? 60_000,
    100,
  );
  const ready =
    ok &&
    !exited &&
    (await run(
      'nsenter',
      ['-t', String(rig.pid(host)), '-m', '-u', '--', 'sh', '-c', `${ctlCommand} await_startup --timeout 60`],
      {
        timeout: Math.max(1000, (opts.startTimeoutMs ?? 60_000) - (Date.now() - started)),
      },
    ).then(
      () => true,
      () => false,
    ));
  if (!ready) {
    const log = await readLog(work, node);
    await stop().catch(() => {});
    throw new Error(`rabbitmq in host ${host} did not start:\n${log}`);
  }

  return {
    node,
    ctlCommand,
    restartCommand: scripts.restart,
    clearPemCacheCommand: scripts.clear,
    restarts: async () => (await readFile(join(work, 'restarts'), 'utf8')).split('\n').filter(Boolean).length,
    cacheClears: async () =>
      (await readFile(join(work, 'cache-clears'), 'utf8')).split('\n').filter(Boolean).length,
    waitForPort: (port, timeoutMs) => waitForTcp(opts.address, port, timeoutMs),
    log: () => readLog(work, node),
    stop,
  };
}

async function waitForTcp(address: string, port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await acceptsTcp(address, port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The tail of the wrapper's output and of the node's own log. */
async function readLog(work: string, node: string): Promise<string> {
  const parts: string[] = [];
  for (const f of ['server.out', join('log', `${node}.log`)]) {
    const t = await readFile(join(work, f), 'utf8').catch(() => '');
    if (t) parts.push(t.split('\n').slice(-30).join('\n'));
  }
  return parts.join('\n');
}

async function rabbitIds(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['rabbitmq']);
  const uid = Number(/uid=(\d+)/.exec(stdout)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(stdout)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid))
    throw new Error('rabbitmq: no rabbitmq user (apt-get install -y rabbitmq-server)');
  return { uid, gid };
}
