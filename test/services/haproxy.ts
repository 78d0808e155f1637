/**
 * Debian's haproxy inside a rig host, in master-worker mode (as systemd runs it: `-Ws`), reading
 * the host's /etc/haproxy/haproxy.cfg plus every *.cfg in /etc/haproxy/conf.d, bound to the
 * host's own loopback address. `reloadCommand` is what ovnctl runs over SSH to reload it.
 */
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { acceptsTcp, descendantsOf, isAlive, killAndWait, waitUntil } from '../rig/procs.js';
import type { Rig } from '../rig/rig.js';

export interface HaproxyOptions {
  /** The host's address; the base config's plain health frontend binds here. */
  address: string;
  healthPort?: number;
  /** Real-filesystem directory (visible inside the host) for the pid file, log and reload counter. */
  workDir: string;
  startTimeoutMs?: number;
}

export interface HaproxyInHost {
  readonly pidFile: string;
  /** Shell command for `haproxy_reload_command`: counts the reload, then USR2 to the master. */
  readonly reloadCommand: string;
  /** Master pid (the process the test started). */
  readonly pid: number;
  /** How many times reloadCommand ran. */
  reloads(): Promise<number>;
  /** Worker pids now. */
  workers(): number[];
  log(): string;
  stop(): Promise<void>;
}

export const HAPROXY_MAIN_CONFIG = '/etc/haproxy/haproxy.cfg';
export const HAPROXY_CONF_DIR = '/etc/haproxy/conf.d';

function baseConfig(address: string, port: number): string {
  return [
    '# Test base configuration (test/services/haproxy.ts); ovnctl manages conf.d/ only.',
    'global',
    '    maxconn 256',
    '    hard-stop-after 5s',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    '    timeout client 10s',
    '    timeout server 10s',
    '',
    'frontend test-health',
    `    bind ${address}:${port}`,
    '    http-request return status 200',
    '',
  ].join('\n');
}

export async function startHaproxy(rig: Rig, host: number, opts: HaproxyOptions): Promise<HaproxyInHost> {
  const root = rig.hostRoot(host);
  const healthPort = opts.healthPort ?? 8404;
  await mkdir(join(root, HAPROXY_CONF_DIR), { recursive: true });
  await writeFile(join(root, HAPROXY_MAIN_CONFIG), baseConfig(opts.address, healthPort));
  await mkdir(opts.workDir, { recursive: true });
  const pidFile = join(opts.workDir, 'haproxy.pid');
  const counter = join(opts.workDir, 'reloads');
  const logFile = join(opts.workDir, 'haproxy.log');
  await writeFile(counter, '');
  // A file, not a pipe: tests block in spawnSync(ovnctl) and a full pipe would stall haproxy.
  const log = openSync(logFile, 'a');
  const child: ChildProcess = rig.spawnInHost(
    host,
    ['haproxy', '-W', '-f', HAPROXY_MAIN_CONFIG, '-f', HAPROXY_CONF_DIR, '-p', pidFile],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const output = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('haproxy: spawn failed');

  const stop = async (): Promise<void> => {
    if (!isAlive(pid)) return;
    const pids = [pid, ...descendantsOf(pid)];
    await killAndWait(pids, 'SIGTERM', 6000);
  };

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  while (!(await acceptsTcp(opts.address, healthPort))) {
    if (exited || Date.now() > deadline) {
      await stop().catch(() => {});
      throw new Error(`haproxy in host ${host} did not start on ${opts.address}:${healthPort}:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 30));
  }
  await waitUntil(() => existsSync(pidFile), 2000);

  return {
    pidFile,
    reloadCommand: `echo reload >> ${counter} && kill -USR2 "$(cat ${pidFile})"`,
    pid,
    reloads: async () => (await readFile(counter, 'utf8')).split('\n').filter(Boolean).length,
    workers: () => descendantsOf(pid).filter(isAlive),
    log: output,
    stop,
  };
}
