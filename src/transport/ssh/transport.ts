import type ssh2 from 'ssh2';
import { errorMessage, OvnctlError } from '../../errors.js';
import type { DirOptions, ExecOptions, ExecResult, FileStat, Transport, WriteOptions } from '../types.js';
import { BecomeRefused } from './become.js';
import { composeCommand, shellQuote } from './command.js';
import { type Connection, openConnection } from './connect.js';
import { type BecomeTarget, type ExecRequest, runExec } from './exec.js';
import {
  mkdirP,
  type Ownership,
  readWhole,
  setAttrs,
  statPath,
  toFileStat,
  writeAtomic,
  writeFailureReason,
} from './files.js';
import { HostIds } from './ids.js';
import { Semaphore } from './limiter.js';
import type { SshSettings } from './settings.js';
import { openSftp, type SftpHandle } from './sftp-channel.js';
import { isNoSuchFile, SftpStatusError } from './sftp-client.js';
import { parseSha256Output, sha256Commands } from './sha256-batch.js';
import { type SftpHash, sftpSha256 } from './sha256-sftp.js';

/**
 * Exec channels open at once on the connection. sshd's default MaxSessions is 10; one more
 * channel is the SFTP session.
 */
const MAX_EXEC_CHANNELS = 8;

/** A host reached over one ssh2 connection for the whole run (see settings.ts for options). */
export class SshTransport implements Transport {
  readonly kind = 'ssh';
  readonly host: string;
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private failure: OvnctlError | undefined;
  private closed = false;
  private clientClosed = false;
  private sftp: Promise<SftpHandle> | undefined;
  private readonly ids: HostIds;
  private readonly channels = new Semaphore(MAX_EXEC_CHANNELS);
  /**
   * sudo refusals by target user. Kept for the run: retrying a wrong password on every call
   * costs seconds each (PAM's failure delay) and can lock the account (pam_faillock).
   */
  private readonly becomeRefusals = new Map<string, BecomeRefused>();

  constructor(private readonly settings: SshSettings) {
    this.host = settings.host;
    this.ids = new HostIds(
      settings.host,
      (p) => this.readFile(p),
      (c) => this.exec(c),
    );
  }

  async connect(): Promise<void> {
    await this.client();
  }

  private lost(): OvnctlError {
    return this.failure ?? new OvnctlError('unreachable', `${this.host}: connection lost`);
  }

  private async client(): Promise<ssh2.Client> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new OvnctlError('unreachable', `${this.host}: connection already closed`);
    if (this.connection) return this.connection.client;
    if (!this.connecting) {
      this.connecting = openConnection(this.settings).then(
        (c) => this.adopt(c),
        (e: unknown) => {
          this.failure =
            e instanceof OvnctlError
              ? e
              : new OvnctlError('unreachable', `${this.host}: ${errorMessage(e)}`, { cause: e });
          throw this.failure;
        },
      );
    }
    return (await this.connecting).client;
  }

  private adopt(c: Connection): Connection {
    if (this.closed) {
      c.client.end();
      c.jump?.end();
      throw new OvnctlError('unreachable', `${this.host}: connection already closed`);
    }
    this.connection = c;
    let lastError: Error | undefined;
    const onError = (e: Error): void => {
      lastError = e;
    };
    c.client.on('error', onError);
    c.jump?.on('error', onError);
    c.client.once('close', () => {
      this.clientClosed = true;
    });
    const onClose = (): void => {
      if (this.closed || this.failure) return;
      const why = lastError ? ` (${errorMessage(lastError)})` : '';
      this.failure = new OvnctlError('unreachable', `${this.host}: connection lost${why}`);
      this.sftp?.then((s) => s.session.fail(this.lost())).catch(() => {});
      c.client.end();
      c.jump?.end();
    };
    c.client.on('close', onClose);
    c.jump?.on('close', onClose);
    return c;
  }

  /** sudo target for a command or file operation, or undefined when the login user suffices. */
  private becomeTarget(requested: string | undefined): BecomeTarget | undefined {
    const user = requested ?? this.settings.become?.user;
    if (user === undefined || user === this.settings.user) return undefined;
    const refused = this.becomeRefusals.get(user);
    if (refused) throw refused;
    const password = this.settings.become?.password;
    return password !== undefined ? { user, password } : { user };
  }

  async exec(command: string, options: ExecOptions = {}): Promise<ExecResult> {
    const client = await this.client();
    const script = composeCommand(command, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
    });
    const become = this.becomeTarget(options.becomeUser);
    const request = this.execRequest(script, become, options);
    return this.channels.run(() =>
      this.noteRefusal(
        become,
        runExec(
          client,
          request,
          () => this.failure,
          () => this.lost(),
        ),
      ),
    );
  }

  private execRequest(script: string, become: BecomeTarget | undefined, options: ExecOptions): ExecRequest {
    return {
      host: this.host,
      script,
      ...(become ? { become } : {}),
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
    };
  }

  private async noteRefusal<T>(become: BecomeTarget | undefined, job: Promise<T>): Promise<T> {
    try {
      return await job;
    } catch (e) {
      if (become && e instanceof BecomeRefused) this.becomeRefusals.set(become.user, e);
      throw e;
    }
  }

  /** The SFTP session (opened on first use, through sudo when becoming another user). */
  private async session(): Promise<SftpHandle['session']> {
    const client = await this.client();
    if (!this.sftp) {
      const become = this.becomeTarget(undefined);
      const opening = this.noteRefusal(
        become,
        openSftp(
          client,
          this.host,
          become,
          () => this.failure,
          () => this.lost(),
        ),
      );
      this.sftp = opening;
      opening.then(
        (h) =>
          h.closed.then(() => {
            if (this.sftp === opening) this.sftp = undefined;
          }),
        () => {
          if (this.sftp === opening) this.sftp = undefined;
        },
      );
    }
    return (await this.sftp).session;
  }

  private fileError(action: string, path: string, e: unknown): OvnctlError {
    if (e instanceof OvnctlError) return e;
    if (this.failure) return this.failure;
    const reason = e instanceof SftpStatusError ? e.message : errorMessage(e);
    return new OvnctlError('task-failed', `${this.host}: cannot ${action} ${path}: ${reason}`);
  }

  /** fileError, saying when the cause was a full or read-only file system. */
  private async writeError(action: string, path: string, e: unknown, size: number): Promise<OvnctlError> {
    const why = this.failure
      ? undefined
      : await this.session().then(
          (s) => writeFailureReason(s, path, e, size),
          () => undefined,
        );
    if (why) return new OvnctlError('task-failed', `${this.host}: cannot ${action} ${path}: ${why}`);
    return this.fileError(action, path, e);
  }

  async readFile(path: string): Promise<Buffer | null> {
    try {
      return await readWhole(await this.session(), path);
    } catch (e) {
      throw this.fileError('read', path, e);
    }
  }

  async stat(path: string): Promise<FileStat | null> {
    try {
      return await statPath(await this.session(), path);
    } catch (e) {
      throw this.fileError('stat', path, e);
    }
  }

  /** Small files are read over SFTP and hashed here; only large ones cost a `sha256sum` exec. */
  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    const found = new Map<string, string | null>();
    const large: string[] = [];
    const sftp = await this.session();
    await Promise.all(
      [...new Set(paths)].map(async (p) => {
        let hash: SftpHash;
        try {
          hash = await sftpSha256(sftp, p);
        } catch (e) {
          throw this.fileError('hash', p, e);
        }
        if (hash === 'large') large.push(p);
        else found.set(p, hash);
      }),
    );
    for (const command of sha256Commands(large)) {
      const result = await this.exec(command);
      for (const [p, h] of parseSha256Output(result.stdout)) found.set(p, h);
    }
    return new Map(paths.map((p) => [p, found.get(p) ?? null]));
  }

  async writeFileAtomic(path: string, data: Buffer, options: WriteOptions): Promise<void> {
    try {
      const owner = await this.ownership(options);
      // Like Ansible's atomic move: a replaced file keeps its owner unless one is asked for.
      if (owner.uid === undefined || owner.gid === undefined) {
        const current = await this.stat(path).catch(() => null);
        if (current) Object.assign(owner, { uid: owner.uid ?? current.uid, gid: owner.gid ?? current.gid });
      }
      await writeAtomic(await this.session(), path, data, options.mode, owner);
    } catch (e) {
      throw await this.writeError('write', path, e, data.length);
    }
  }

  async mkdir(path: string, options: DirOptions): Promise<void> {
    try {
      const owner = await this.ownership(options);
      await mkdirP(await this.session(), path, options.mode, owner);
    } catch (e) {
      throw await this.writeError('create directory', path, e, 0);
    }
  }

  async setAttributes(path: string, attrs: Partial<WriteOptions>): Promise<void> {
    try {
      const owner = await this.ownership(attrs);
      await setAttrs(await this.session(), path, attrs.mode, owner);
    } catch (e) {
      throw this.fileError('set attributes of', path, e);
    }
  }

  /** Like `rm -rf`; a file or link goes over SFTP (no process on the host), a directory through rm. */
  async remove(path: string): Promise<void> {
    if (await this.removedOverSftp(path)) return;
    const result = await this.exec(`rm -rf -- ${shellQuote(path)}`);
    if (result.rc !== 0) {
      throw new OvnctlError(
        'task-failed',
        `${this.host}: cannot remove ${path}: ${result.stderr.trim() || `rc ${result.rc}`}`,
      );
    }
  }

  /** True when `path` is gone: it was absent, or not a directory and SFTP unlinked it. */
  private async removedOverSftp(path: string): Promise<boolean> {
    try {
      const sftp = await this.session();
      const st = await sftp.stat(path, false).catch((e: unknown) => {
        if (isNoSuchFile(e)) return null;
        throw e;
      });
      if (st === null) return true;
      if (toFileStat(st).type === 'directory') return false;
      await sftp.remove(path);
      return true;
    } catch (e) {
      if (this.failure) throw this.failure;
      // Anything else (permissions, a race): rm -rf decides and reports, as before.
      if (e instanceof OvnctlError) throw e;
      return false;
    }
  }

  /** Names from the host's /etc/passwd and /etc/group (read once), then `getent` for the rest. */
  lookupId(kind: 'user' | 'group', name: string): Promise<number | null> {
    return this.ids.lookup(kind, name);
  }

  private ownership(options: { owner?: string; group?: string }): Promise<Ownership> {
    return this.ids.ownership(options);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const c = this.connection ?? (await this.connecting?.catch(() => undefined));
    if (!c || this.clientClosed) {
      c?.jump?.end();
      return;
    }
    const ended = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        c.client.destroy();
        c.jump?.destroy();
        resolve();
      }, 2000);
      c.client.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.sftp?.then((s) => s.end()).catch(() => {});
    c.client.end();
    await ended;
    c.jump?.end();
  }
}

/** A Transport for one host over SSH; nothing is opened until the first call. */
export function createSshTransport(settings: SshSettings): Transport {
  return new SshTransport(settings);
}
