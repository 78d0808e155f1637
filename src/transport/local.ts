import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  close,
  closeSync,
  fchmod,
  fchown,
  fstatSync,
  fsync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  write,
} from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { OvnctlError } from '../errors.js';
import { parseIdDatabase } from './id-database.js';
import type { DirOptions, ExecOptions, ExecResult, FileStat, Transport, WriteOptions } from './types.js';

function toStat(s: import('node:fs').Stats): FileStat {
  return {
    type: s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isSymbolicLink() ? 'symlink' : 'other',
    mode: s.mode & 0o7777,
    uid: s.uid,
    gid: s.gid,
    size: s.size,
    mtimeMs: s.mtimeMs,
  };
}

/**
 * Temp files being written right now. A forced exit (a second Ctrl-C) can land between a
 * temp file's creation and its rename: the exit hook removes it, so no partial file stays.
 */
const tempFilesInFlight = new Set<string>();
/** Commands running now that rename scratch paths into place (killed first on a forced exit). */
const commandsInFlight = new Map<import('node:child_process').ChildProcess, readonly string[]>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const [child, temps] of commandsInFlight) {
        // The command runs in its own process group: kill the shell and what it started.
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        for (const t of temps) tempFilesInFlight.add(t);
      }
      // A killed process finishes the system call it is in; give that a moment before cleaning up.
      if (commandsInFlight.size > 0) {
        const until = Date.now() + 50;
        while (Date.now() < until) {
          // busy wait: no event loop is left in an exit handler
        }
      }
      for (const t of tempFilesInFlight) {
        try {
          unlinkSync(t);
        } catch {
          // Renamed or never created.
        }
      }
    });
  }
}

function trackTempFile(path: string): void {
  installExitHook();
  tempFilesInFlight.add(path);
}

/** A callback-style fs call on a file descriptor, awaited. */
function fdDone(call: (cb: (e: NodeJS.ErrnoException | null) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => call((e) => (e ? reject(e) : resolve())));
}

async function writeAllTo(fd: number, data: Buffer): Promise<void> {
  for (let at = 0; at < data.length; ) {
    at += await new Promise<number>((resolve, reject) =>
      write(fd, data, at, data.length - at, null, (e, n) => (e ? reject(e) : resolve(n))),
    );
  }
}

function errnoCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Files up to this size are read synchronously (certificates, keys, configuration). */
const SYNC_READ_LIMIT = 256 * 1024;

/**
 * A small regular file's content, read in place: open, fstat, read, close without four
 * thread-pool round trips each (a PKI plan reads the same few KB files for every host).
 * Undefined when the file is large (the caller streams it); errors are fs errors.
 */
function readSmallSync(path: string): Buffer | undefined {
  const fd = openSync(path, 'r');
  try {
    const st = fstatSync(fd);
    if (st.isFile() && st.size > SYNC_READ_LIMIT) return undefined;
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** This machine, through node:fs and child_process. */
export class LocalTransport implements Transport {
  readonly kind = 'local';
  private ids: { user: Map<string, number>; group: Map<string, number> } | undefined;

  constructor(readonly host: string) {}

  async connect(): Promise<void> {}

  exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const argv =
        options.becomeUser && options.becomeUser !== 'root'
          ? ['sudo', '-n', '-H', '-u', options.becomeUser, '--', '/bin/sh', '-c', command]
          : ['/bin/sh', '-c', command];
      const child = spawn(argv[0] as string, argv.slice(1), {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        timeout: options.timeoutMs,
        // Commands that rename scratch paths get their own process group, so a forced exit can
        // stop all of them; a first Ctrl-C at the terminal then does not cut them short either.
        detached: (options.tempPaths?.length ?? 0) > 0,
      });
      if (options.tempPaths?.length) {
        installExitHook();
        commandsInFlight.set(child, options.tempPaths);
      }
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', (e) => reject(new OvnctlError('task-failed', `cannot run command: ${e.message}`)));
      child.on('close', (code, signal) => {
        commandsInFlight.delete(child);
        resolve({
          rc: code ?? (signal ? 128 + 9 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => {});
      child.stdin.end(options.stdin ?? '');
    });
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return readSmallSync(path) ?? (await readFile(path));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return null;
      throw new OvnctlError('task-failed', `cannot read ${path}: ${errnoCode(e) ?? String(e)}`);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      // One syscall: cheaper in place than a thread-pool round trip (PKI plans stat hundreds).
      const st = statSync(path, { throwIfNoEntry: false });
      return st ? toStat(st) : null;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') return null;
      throw new OvnctlError('task-failed', `cannot stat ${path}: ${errnoCode(e) ?? String(e)}`);
    }
  }

  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    const entries = await Promise.all(
      paths.map(async (p) => {
        const data = await this.readFile(p).catch(() => null);
        return [p, data ? createHash('sha256').update(data).digest('hex') : null] as const;
      }),
    );
    return new Map(entries);
  }

  async lookupId(kind: 'user' | 'group', name: string): Promise<number | null> {
    if (/^\d+$/.test(name)) return Number(name);
    if (!this.ids) {
      const [passwd, group] = await Promise.all([this.readFile('/etc/passwd'), this.readFile('/etc/group')]);
      this.ids = {
        user: parseIdDatabase(passwd?.toString() ?? ''),
        group: parseIdDatabase(group?.toString() ?? ''),
      };
    }
    return this.ids[kind].get(name) ?? null;
  }

  private async ownership(options: Partial<WriteOptions>): Promise<{ uid: number; gid: number } | undefined> {
    if (options.owner === undefined && options.group === undefined) return undefined;
    const resolveId = async (kind: 'user' | 'group', name: string | undefined): Promise<number> => {
      if (name === undefined) return -1;
      const id = await this.lookupId(kind, name);
      if (id === null) throw new OvnctlError('task-failed', `${this.host}: unknown ${kind} '${name}'`);
      return id;
    };
    return { uid: await resolveId('user', options.owner), gid: await resolveId('group', options.group) };
  }

  async writeFileAtomic(path: string, data: Buffer, options: WriteOptions): Promise<void> {
    let owner = await this.ownership(options);
    // Like Ansible's atomic move: a replaced file keeps its owner unless one is asked for.
    const current = await this.stat(path).catch(() => null);
    if (current && (owner === undefined || owner.uid === -1 || owner.gid === -1)) {
      owner = {
        uid: owner && owner.uid !== -1 ? owner.uid : current.uid,
        gid: owner && owner.gid !== -1 ? owner.gid : current.gid,
      };
    }
    const temp = join(dirname(path), `.${basename(path)}.ovnctl-${randomBytes(6).toString('hex')}`);
    trackTempFile(temp);
    let fd: number | undefined;
    try {
      // Created synchronously, so a forced exit cannot land between the file appearing and the
      // exit hook knowing of it; with the final mode, so a key is never readable by others.
      const f = openSync(temp, 'wx', options.mode & 0o777);
      fd = f;
      await writeAllTo(f, data);
      await fdDone((cb) => fchmod(f, options.mode, cb));
      if (owner) {
        const { uid, gid } = owner;
        await fdDone((cb) => fchown(f, uid, gid, cb));
      }
      await fdDone((cb) => fsync(f, cb));
      fd = undefined;
      await fdDone((cb) => close(f, cb));
      await rename(temp, path);
    } catch (e) {
      if (fd !== undefined) await fdDone((cb) => close(fd as number, cb)).catch(() => {});
      await unlink(temp).catch(() => {});
      if (e instanceof OvnctlError) throw e;
      throw new OvnctlError(
        'task-failed',
        `${this.host}: cannot write ${path}: ${errnoCode(e) ?? String(e)}`,
      );
    } finally {
      tempFilesInFlight.delete(temp);
    }
  }

  async mkdir(path: string, options: DirOptions): Promise<void> {
    try {
      await mkdir(path, { recursive: true, mode: options.mode });
      await this.setAttributes(path, options);
    } catch (e) {
      if (e instanceof OvnctlError) throw e;
      throw new OvnctlError(
        'task-failed',
        `${this.host}: cannot create directory ${path}: ${errnoCode(e) ?? String(e)}`,
      );
    }
  }

  async setAttributes(path: string, attrs: Partial<WriteOptions>): Promise<void> {
    try {
      if (attrs.mode !== undefined) await chmod(path, attrs.mode);
      const owner = await this.ownership(attrs);
      if (owner) await chown(path, owner.uid, owner.gid);
    } catch (e) {
      if (e instanceof OvnctlError) throw e;
      throw new OvnctlError(
        'task-failed',
        `${this.host}: cannot set attributes of ${path}: ${errnoCode(e) ?? String(e)}`,
      );
    }
  }

  async remove(path: string): Promise<void> {
    await rm(path, { recursive: true, force: true });
  }

  async close(): Promise<void> {}
}
