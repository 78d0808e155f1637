import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { shellQuote } from '../../src/transport/ssh/command.js';
import {
  acceptsTcp,
  descendantsOf,
  isAlive,
  killAndWait,
  mountNamespaceOf,
  pidsInMountNamespace,
} from './procs.js';

const run = promisify(execFile);

export async function generateKey(file: string, comment: string): Promise<string> {
  await rm(file, { force: true });
  await rm(`${file}.pub`, { force: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return (await readFile(`${file}.pub`, 'utf8')).trim();
}

export interface SshdSpec {
  name: string;
  address: string;
  port: number;
  dir: string;
  /** Per-host directory whose `<root><path>` is bind-mounted over each `<path>`. */
  root: string;
  binds: readonly string[];
  authorizedKeysFile: string;
  /** Bound over /etc/hosts so the host resolves its own name (sudo warns otherwise). */
  hostsFile: string;
  /**
   * Bound over /root/.bashrc (when that exists): sshd runs every command through the login
   * shell, and a developer box's rc file (pyenv init...) would add ~80 ms to each exec.
   */
  emptyRcFile?: string;
}

/** One test host: an sshd in its own mount + UTS namespace. */
export class RigSshd {
  private child: ChildProcess | undefined;
  /** Every mount namespace this host has had (one per start): their processes are the host's. */
  readonly namespaces: string[] = [];
  readonly hostKeyFile: string;

  constructor(readonly spec: SshdSpec) {
    this.hostKeyFile = join(spec.dir, 'ssh_host_ed25519_key');
  }

  get pid(): number | undefined {
    return this.child?.pid !== undefined && isAlive(this.child.pid) ? this.child.pid : undefined;
  }

  hostPublicKey(): string {
    return readFileSync(`${this.hostKeyFile}.pub`, 'utf8').trim();
  }

  async writeConfig(): Promise<string> {
    const s = this.spec;
    const file = join(s.dir, 'sshd_config');
    await writeFile(
      file,
      [
        `ListenAddress ${s.address}:${s.port}`,
        `HostKey ${this.hostKeyFile}`,
        `PidFile ${join(s.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${s.authorizedKeysFile}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'StrictModes no',
        'UsePAM no',
        'Subsystem sftp internal-sftp',
        'MaxStartups 200',
        'MaxSessions 100',
        '',
      ].join('\n'),
    );
    return file;
  }

  /** Starts sshd and waits (bounded) until it accepts TCP connections. */
  async start(timeoutMs: number): Promise<void> {
    const s = this.spec;
    if (await acceptsTcp(s.address, s.port)) {
      throw new Error(
        `test rig: ${s.address}:${s.port} is already taken (another rig? give each test file its own baseOctet)`,
      );
    }
    const config = await this.writeConfig();
    const pidFile = join(s.dir, 'sshd.pid');
    await rm(pidFile, { force: true });
    const script = [
      'set -e',
      `hostname ${shellQuote(s.name)}`,
      ...s.binds.map((p) => `mount --bind ${shellQuote(join(s.root, p))} ${shellQuote(p)}`),
      `mount --bind ${shellQuote(s.hostsFile)} /etc/hosts`,
      ...(s.emptyRcFile
        ? [`if [ -f /root/.bashrc ]; then mount --bind ${shellQuote(s.emptyRcFile)} /root/.bashrc; fi`]
        : []),
      `exec /usr/sbin/sshd -D -e -f ${shellQuote(config)}`,
    ].join('\n');
    const logFile = join(s.dir, 'sshd.log');
    const log = openSync(logFile, 'a');
    // unshare without --fork execs in place: the child's pid is sshd's pid.
    const child = spawn('unshare', ['--mount', '--uts', '--propagation', 'private', 'bash', '-c', script], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    let exited = false;
    child.once('exit', () => {
      exited = true;
    });
    const deadline = Date.now() + timeoutMs;
    // sshd writes its pid file once it listens: that tells our sshd from anyone else on the port.
    const pidWritten = (): boolean => {
      try {
        return readFileSync(pidFile, 'utf8').trim() === String(child.pid);
      } catch {
        return false;
      }
    };
    const listening = async (): Promise<boolean> => pidWritten() && (await acceptsTcp(s.address, s.port));
    while (!(await listening())) {
      if (exited || Date.now() > deadline) {
        if (child.pid !== undefined && !exited) await this.stop('SIGKILL');
        const tail = readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
        throw new Error(`test rig: sshd for ${s.name} on ${s.address}:${s.port} did not start:\n${tail}`);
      }
      await new Promise((r) => setTimeout(r, 30));
    }
    const ns = child.pid !== undefined ? mountNamespaceOf(child.pid) : null;
    if (ns && !this.namespaces.includes(ns)) this.namespaces.push(ns);
  }

  /**
   * Ends the listener, its sessions, and every other process left in the host's namespaces
   * (e.g. daemons a test started over SSH), by pid; waits for them (bounded).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const pid = this.child?.pid;
    const pids = new Set<number>();
    if (pid !== undefined && isAlive(pid)) {
      pids.add(pid);
      for (const d of descendantsOf(pid)) pids.add(d);
    }
    for (const ns of this.namespaces) for (const p of pidsInMountNamespace(ns)) pids.add(p);
    await killAndWait([...pids], signal);
    this.child = undefined;
    // Every process of these namespaces is gone, so the kernel may hand their ids to another
    // test's namespaces: forget them, or a later stop() would kill someone else's processes.
    this.namespaces.length = 0;
  }
}
