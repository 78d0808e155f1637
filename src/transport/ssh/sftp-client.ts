import {
  MalformedPacket,
  OpenFlag,
  PacketFramer,
  PacketReader,
  PacketType,
  PacketWriter,
  type SftpAttrs,
  Status,
} from './sftp-codec.js';

const STATUS_NAMES: Record<number, string> = {
  [Status.EOF]: 'end of file',
  [Status.NO_SUCH_FILE]: 'no such file or directory',
  [Status.PERMISSION_DENIED]: 'permission denied',
  [Status.FAILURE]: 'failure',
  [Status.BAD_MESSAGE]: 'bad message',
  [Status.OP_UNSUPPORTED]: 'operation not supported',
};

/** An SFTP STATUS reply other than OK, e.g. NO_SUCH_FILE. */
export class SftpStatusError extends Error {
  /** `message` defaults to a readable name for the code (servers' own texts vary). */
  constructor(
    readonly status: number,
    message?: string,
  ) {
    super(message ?? STATUS_NAMES[status] ?? `SFTP status ${status}`);
    this.name = 'SftpStatusError';
  }
}

export function isNoSuchFile(e: unknown): boolean {
  return e instanceof SftpStatusError && e.status === Status.NO_SUCH_FILE;
}

interface Pending {
  resolve: (reply: { type: number; body: PacketReader }) => void;
  reject: (e: Error) => void;
}

/** Largest reply accepted: OpenSSH's sftp-server caps messages at 256 KiB. */
const MAX_PACKET = 256 * 1024 + 1024;
/** Bytes per READ/WRITE request; several are kept in flight. */
export const IO_CHUNK = 32 * 1024;
const IO_WINDOW = 16;

/**
 * A minimal SFTP v3 client over any byte pipe: `send` writes to the pipe, the owner feeds
 * every received byte to `feed`. Works over the `sftp` subsystem and over an exec channel
 * running `sudo sftp-server`, which ssh2's own SFTP class cannot (it only opens the subsystem).
 */
export class SftpSession {
  private readonly framer = new PacketFramer(MAX_PACKET);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;
  private versionWaiter: Pending | undefined;
  private extensions = new Map<string, string>();

  constructor(private readonly send: (packet: Buffer) => void) {}

  /** Sends INIT and waits for VERSION (records the server's extensions). */
  init(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.versionWaiter = {
        resolve: ({ body }) => {
          body.u32();
          while (body.remaining > 0) this.extensions.set(body.string(), body.string());
          resolve();
        },
        reject,
      };
      this.send(new PacketWriter().u32(3).packet(PacketType.INIT));
    });
  }

  hasExtension(name: string): boolean {
    return this.extensions.has(name);
  }

  feed(data: Buffer): void {
    if (this.failure) return;
    try {
      for (const { type, body } of this.framer.push(data)) this.dispatch(type, new PacketReader(body));
    } catch (e) {
      this.fail(e instanceof MalformedPacket ? e : new Error(`SFTP protocol error: ${String(e)}`));
    }
  }

  /** The pipe is gone: every outstanding and future request fails with `error`. */
  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.versionWaiter?.reject(error);
    this.versionWaiter = undefined;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  get failed(): Error | undefined {
    return this.failure;
  }

  private dispatch(type: number, body: PacketReader): void {
    if (type === PacketType.VERSION) {
      const waiter = this.versionWaiter;
      this.versionWaiter = undefined;
      waiter?.resolve({ type, body });
      return;
    }
    const id = body.u32();
    const waiter = this.pending.get(id);
    if (!waiter) throw new MalformedPacket(`SFTP reply for unknown request ${id}`);
    this.pending.delete(id);
    waiter.resolve({ type, body });
  }

  private request(
    type: number,
    fill: (w: PacketWriter) => void,
  ): Promise<{ type: number; body: PacketReader }> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      const id = this.nextId;
      this.nextId = (this.nextId + 1) >>> 0 || 1;
      const w = new PacketWriter().u32(id);
      fill(w);
      this.pending.set(id, { resolve, reject });
      this.send(w.packet(type));
    });
  }

  private static status(reply: { type: number; body: PacketReader }): void {
    if (reply.type !== PacketType.STATUS)
      throw new MalformedPacket(`expected STATUS, got packet type ${reply.type}`);
    const code = reply.body.u32();
    if (code === Status.OK) return;
    const text = reply.body.remaining > 0 ? reply.body.string() : '';
    throw new SftpStatusError(code, STATUS_NAMES[code] ?? (text || undefined));
  }

  private static expect(reply: { type: number; body: PacketReader }, type: number): PacketReader {
    if (reply.type === type) return reply.body;
    SftpSession.status(reply);
    throw new MalformedPacket(`expected packet type ${type}, got STATUS OK`);
  }

  async open(path: string, flags: number, attrs: SftpAttrs = {}): Promise<Buffer> {
    const reply = await this.request(PacketType.OPEN, (w) => w.string(path).u32(flags).attrs(attrs));
    return Buffer.from(SftpSession.expect(reply, PacketType.HANDLE).bytes());
  }

  async close(handle: Buffer): Promise<void> {
    SftpSession.status(await this.request(PacketType.CLOSE, (w) => w.string(handle)));
  }

  /** Bytes at `offset`, or null at end of file. */
  async read(handle: Buffer, offset: number, length: number): Promise<Buffer | null> {
    const reply = await this.request(PacketType.READ, (w) => w.string(handle).u64(offset).u32(length));
    if (reply.type === PacketType.STATUS) {
      const code = reply.body.u32();
      if (code === Status.EOF) return null;
      const text = reply.body.remaining > 0 ? reply.body.string() : '';
      throw new SftpStatusError(code, STATUS_NAMES[code] ?? (text || undefined));
    }
    return Buffer.from(SftpSession.expect(reply, PacketType.DATA).bytes());
  }

  async write(handle: Buffer, offset: number, data: Buffer): Promise<void> {
    SftpSession.status(
      await this.request(PacketType.WRITE, (w) => w.string(handle).u64(offset).string(data)),
    );
  }

  /** Writes `data` from offset 0 with up to IO_WINDOW requests in flight. */
  async writeAll(handle: Buffer, data: Buffer): Promise<void> {
    let offset = 0;
    const worker = async (): Promise<void> => {
      while (offset < data.length) {
        const at = offset;
        offset += IO_CHUNK;
        await this.write(handle, at, data.subarray(at, Math.min(at + IO_CHUNK, data.length)));
      }
    };
    const workers = Math.max(1, Math.min(IO_WINDOW, Math.ceil(data.length / IO_CHUNK)));
    await Promise.all(Array.from({ length: workers }, worker));
  }

  /** Reads the whole file behind `handle`; `sizeHint` lets reads run in parallel. */
  async readAll(handle: Buffer, sizeHint: number): Promise<Buffer> {
    const chunks = new Map<number, Buffer>();
    const planned = Math.max(1, Math.ceil(sizeHint / IO_CHUNK));
    let next = 0;
    let eofAt = Number.POSITIVE_INFINITY;
    const worker = async (): Promise<void> => {
      while (next < planned && next * IO_CHUNK < eofAt) {
        const index = next++;
        const data = await this.read(handle, index * IO_CHUNK, IO_CHUNK);
        if (data === null) eofAt = Math.min(eofAt, index * IO_CHUNK);
        else chunks.set(index * IO_CHUNK, data);
      }
    };
    await Promise.all(Array.from({ length: Math.min(IO_WINDOW, planned) }, worker));
    // Parallel reads assume full chunks; stitch them in order, then read on sequentially
    // from where they stop (the file grew since it was stat'ed). A short read is end of file:
    // sftp-server returns what read(2) gives, which is short only at the end of a regular file.
    const parts: Buffer[] = [];
    let position = 0;
    while (position < eofAt) {
      const part = chunks.get(position) ?? (await this.read(handle, position, IO_CHUNK));
      if (part === null || part.length === 0) break;
      parts.push(part);
      position += part.length;
      if (part.length < IO_CHUNK) break;
    }
    return Buffer.concat(parts);
  }

  async stat(path: string, followLinks = true): Promise<SftpAttrs> {
    const reply = await this.request(followLinks ? PacketType.STAT : PacketType.LSTAT, (w) => w.string(path));
    return SftpSession.expect(reply, PacketType.ATTRS).attrs();
  }

  async fstat(handle: Buffer): Promise<SftpAttrs> {
    const reply = await this.request(PacketType.FSTAT, (w) => w.string(handle));
    return SftpSession.expect(reply, PacketType.ATTRS).attrs();
  }

  async setstat(path: string, attrs: SftpAttrs): Promise<void> {
    SftpSession.status(await this.request(PacketType.SETSTAT, (w) => w.string(path).attrs(attrs)));
  }

  async fsetstat(handle: Buffer, attrs: SftpAttrs): Promise<void> {
    SftpSession.status(await this.request(PacketType.FSETSTAT, (w) => w.string(handle).attrs(attrs)));
  }

  async mkdir(path: string, attrs: SftpAttrs): Promise<void> {
    SftpSession.status(await this.request(PacketType.MKDIR, (w) => w.string(path).attrs(attrs)));
  }

  async remove(path: string): Promise<void> {
    SftpSession.status(await this.request(PacketType.REMOVE, (w) => w.string(path)));
  }

  /** Atomically replaces `to` when the server has posix-rename@openssh.com; plain RENAME otherwise. */
  async rename(from: string, to: string): Promise<void> {
    if (this.hasExtension('posix-rename@openssh.com')) {
      const reply = await this.request(PacketType.EXTENDED, (w) =>
        w.string('posix-rename@openssh.com').string(from).string(to),
      );
      SftpSession.status(reply);
      return;
    }
    SftpSession.status(await this.request(PacketType.RENAME, (w) => w.string(from).string(to)));
  }

  /** Free space and read-only flag of a path's file system (statvfs@openssh.com); null without it. */
  async statvfs(path: string): Promise<{ freeBytes: number; readOnly: boolean } | null> {
    if (!this.hasExtension('statvfs@openssh.com')) return null;
    const body = SftpSession.expect(
      await this.request(PacketType.EXTENDED, (w) => w.string('statvfs@openssh.com').string(path)),
      PacketType.EXTENDED_REPLY,
    );
    // bsize, frsize, blocks, bfree, bavail, files, ffree, favail, fsid, flag, namemax
    const f = Array.from({ length: 11 }, () => body.u64());
    const ST_RDONLY = 1;
    return { freeBytes: (f[4] ?? 0) * (f[1] ?? 0), readOnly: ((f[9] ?? 0) & ST_RDONLY) !== 0 };
  }

  /** fsync(2) through fsync@openssh.com; a no-op on servers without it. */
  async fsync(handle: Buffer): Promise<void> {
    if (!this.hasExtension('fsync@openssh.com')) return;
    SftpSession.status(
      await this.request(PacketType.EXTENDED, (w) => w.string('fsync@openssh.com').string(handle)),
    );
  }
}

export { OpenFlag };
