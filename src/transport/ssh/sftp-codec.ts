/** SFTP version 3 wire format (draft-ietf-secsh-filexfer-02): packet building and parsing. */

export const PacketType = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  LSTAT: 7,
  FSTAT: 8,
  SETSTAT: 9,
  FSETSTAT: 10,
  REMOVE: 13,
  MKDIR: 14,
  STAT: 17,
  RENAME: 18,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  NAME: 104,
  ATTRS: 105,
  EXTENDED: 200,
  EXTENDED_REPLY: 201,
} as const;

export const OpenFlag = { READ: 1, WRITE: 2, APPEND: 4, CREAT: 8, TRUNC: 0x10, EXCL: 0x20 } as const;

export const Status = {
  OK: 0,
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

const ATTR_SIZE = 0x1;
const ATTR_UIDGID = 0x2;
const ATTR_PERMISSIONS = 0x4;
const ATTR_ACMODTIME = 0x8;
const ATTR_EXTENDED = 0x80000000;

/** uid/gid value that leaves the id unchanged: fchown(2) treats (uid_t)-1 as "keep". */
export const KEEP_ID = 0xffffffff;

export interface SftpAttrs {
  size?: number;
  uid?: number;
  gid?: number;
  /** Full st_mode (type and permission bits) when read; permission bits when written. */
  permissions?: number;
  atime?: number;
  mtime?: number;
}

/** Appends fields to a growing buffer; `packet()` frames them with length and type. */
export class PacketWriter {
  private chunks: Buffer[] = [];

  u8(v: number): this {
    this.chunks.push(Buffer.from([v]));
    return this;
  }
  u32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(v >>> 0);
    this.chunks.push(b);
    return this;
  }
  u64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(v));
    this.chunks.push(b);
    return this;
  }
  string(v: string | Buffer): this {
    const data = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.u32(data.length);
    this.chunks.push(data);
    return this;
  }
  attrs(a: SftpAttrs): this {
    let flags = 0;
    if (a.size !== undefined) flags |= ATTR_SIZE;
    if (a.uid !== undefined || a.gid !== undefined) flags |= ATTR_UIDGID;
    if (a.permissions !== undefined) flags |= ATTR_PERMISSIONS;
    if (a.atime !== undefined && a.mtime !== undefined) flags |= ATTR_ACMODTIME;
    this.u32(flags);
    if (flags & ATTR_SIZE) this.u64(a.size ?? 0);
    if (flags & ATTR_UIDGID) this.u32(a.uid ?? KEEP_ID).u32(a.gid ?? KEEP_ID);
    if (flags & ATTR_PERMISSIONS) this.u32(a.permissions ?? 0);
    if (flags & ATTR_ACMODTIME) this.u32(a.atime ?? 0).u32(a.mtime ?? 0);
    return this;
  }
  packet(type: number): Buffer {
    const body = Buffer.concat(this.chunks);
    const head = Buffer.alloc(5);
    head.writeUInt32BE(body.length + 1);
    head[4] = type;
    return Buffer.concat([head, body]);
  }
}

export class MalformedPacket extends Error {}

/** Sequential reads over one packet body; throws MalformedPacket when it runs short. */
export class PacketReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new MalformedPacket('truncated SFTP packet');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }
  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  string(): string {
    return this.bytes().toString('utf8');
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
  attrs(): SftpAttrs {
    const flags = this.u32();
    const a: SftpAttrs = {};
    if (flags & ATTR_SIZE) a.size = this.u64();
    if (flags & ATTR_UIDGID) {
      a.uid = this.u32();
      a.gid = this.u32();
    }
    if (flags & ATTR_PERMISSIONS) a.permissions = this.u32();
    if (flags & ATTR_ACMODTIME) {
      a.atime = this.u32();
      a.mtime = this.u32();
    }
    if (flags & ATTR_EXTENDED) {
      const count = this.u32();
      for (let i = 0; i < count; i++) {
        this.bytes();
        this.bytes();
      }
    }
    return a;
  }
}

/**
 * Splits a byte stream into SFTP packets. Returns complete packets (type + body) and keeps
 * the incomplete tail for the next call; bytes are copied once per packet, however small the
 * pieces they arrive in.
 */
export class PacketFramer {
  private chunks: Buffer[] = [];
  /** Index of the first unconsumed chunk (avoids Array.shift, which is linear). */
  private head = 0;
  private buffered = 0;

  constructor(private readonly maxLength: number) {}

  private take(n: number): Buffer {
    const first = this.chunks[this.head] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.head += 1;
      else this.chunks[this.head] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const chunk = this.chunks[this.head] as Buffer;
        const used = Math.min(chunk.length, n - filled);
        chunk.copy(out, filled, 0, used);
        filled += used;
        if (used === chunk.length) this.head += 1;
        else this.chunks[this.head] = chunk.subarray(used);
      }
    }
    this.buffered -= n;
    if (this.head > 64 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    return out;
  }

  private peekLength(): number {
    const first = this.chunks[this.head] as Buffer;
    if (first.length >= 4) return first.readUInt32BE(0);
    const bytes: number[] = [];
    for (let i = this.head; bytes.length < 4; i++)
      for (const b of this.chunks[i] as Buffer) if (bytes.length < 4) bytes.push(b);
    return Buffer.from(bytes).readUInt32BE(0);
  }

  push(data: Buffer): { type: number; body: Buffer }[] {
    if (data.length > 0) {
      this.chunks.push(data);
      this.buffered += data.length;
    }
    const out: { type: number; body: Buffer }[] = [];
    while (this.buffered >= 4) {
      const length = this.peekLength();
      if (length < 1 || length > this.maxLength)
        throw new MalformedPacket(`bad SFTP packet length ${length}`);
      if (this.buffered < 4 + length) break;
      const packet = this.take(4 + length);
      out.push({ type: packet[4] as number, body: packet.subarray(5) });
    }
    if (this.buffered === 0) {
      this.chunks = [];
      this.head = 0;
    }
    return out;
  }
}
