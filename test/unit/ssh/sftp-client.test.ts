import { describe, expect, it } from 'vitest';
import { isNoSuchFile, SftpSession, SftpStatusError } from '../../../src/transport/ssh/sftp-client.js';
import { PacketReader, PacketType, PacketWriter, Status } from '../../../src/transport/ssh/sftp-codec.js';

/** A scripted server: answers each request packet with `reply(type, reader)`. */
function harness(reply: (type: number, body: PacketReader, id: number) => Buffer | Buffer[] | null) {
  const sent: { type: number; id: number }[] = [];
  let session: SftpSession;
  const deliver: Buffer[] = [];
  session = new SftpSession((packet) => {
    const type = packet[4] as number;
    const body = new PacketReader(packet.subarray(5));
    if (type === PacketType.INIT) {
      deliver.push(
        new PacketWriter()
          .u32(3)
          .string('posix-rename@openssh.com')
          .string('1')
          .string('fsync@openssh.com')
          .string('1')
          .packet(PacketType.VERSION),
      );
    } else {
      const id = body.u32();
      sent.push({ type, id });
      const r = reply(type, body, id);
      if (r) deliver.push(...(Array.isArray(r) ? r : [r]));
    }
    // Deliver asynchronously and byte by byte, as a pipe may.
    const bytes = Buffer.concat(deliver.splice(0));
    setImmediate(() => {
      for (const b of bytes) session.feed(Buffer.from([b]));
    });
  });
  return { session, sent };
}

const status = (id: number, code: number, msg = '') =>
  new PacketWriter().u32(id).u32(code).string(msg).string('').packet(PacketType.STATUS);

describe('SftpSession', () => {
  it('negotiates extensions and reassembles packets split at every byte', async () => {
    const { session } = harness((type, body, id) => {
      if (type === PacketType.STAT) {
        expect(body.string()).toBe('/etc/x');
        return new PacketWriter()
          .u32(id)
          .attrs({ size: 5, uid: 1, gid: 2, permissions: 0o100640, atime: 1, mtime: 7 })
          .packet(PacketType.ATTRS);
      }
      return null;
    });
    await session.init();
    expect(session.hasExtension('posix-rename@openssh.com')).toBe(true);
    expect(await session.stat('/etc/x')).toEqual({
      size: 5,
      uid: 1,
      gid: 2,
      permissions: 0o100640,
      atime: 1,
      mtime: 7,
    });
  });

  it('maps STATUS codes to errors and uses posix-rename when offered', async () => {
    const { session, sent } = harness((type, body, id) => {
      if (type === PacketType.REMOVE) return status(id, Status.NO_SUCH_FILE, 'No such file');
      if (type === PacketType.EXTENDED) {
        expect(body.string()).toBe('posix-rename@openssh.com');
        expect([body.string(), body.string()]).toEqual(['/a', '/b']);
        return status(id, Status.OK);
      }
      return null;
    });
    await session.init();
    const err = await session.remove('/missing').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SftpStatusError);
    expect(isNoSuchFile(err)).toBe(true);
    await session.rename('/a', '/b');
    expect(sent.map((s) => s.type)).toEqual([PacketType.REMOVE, PacketType.EXTENDED]);
  });

  it('writes in chunks and reads a file back in order', async () => {
    const file = Buffer.alloc(100_000);
    for (let i = 0; i < file.length; i++) file[i] = i % 251;
    const stored = Buffer.alloc(file.length);
    const { session } = harness((type, body, id) => {
      if (type === PacketType.WRITE) {
        body.bytes();
        const offset = body.u64();
        body.bytes().copy(stored, offset);
        return status(id, Status.OK);
      }
      if (type === PacketType.READ) {
        body.bytes();
        const offset = body.u64();
        const len = body.u32();
        if (offset >= stored.length) return status(id, Status.EOF);
        return new PacketWriter()
          .u32(id)
          .string(stored.subarray(offset, offset + len))
          .packet(PacketType.DATA);
      }
      return null;
    });
    await session.init();
    await session.writeAll(Buffer.from('h'), file);
    expect(stored.equals(file)).toBe(true);
    expect((await session.readAll(Buffer.from('h'), file.length)).equals(file)).toBe(true);
    // A wrong size hint (file grew) still reads everything.
    expect((await session.readAll(Buffer.from('h'), 10)).equals(file)).toBe(true);
  });

  it('fails outstanding and later requests when the pipe goes away', async () => {
    const { session } = harness(() => null);
    await session.init();
    const pending = session.stat('/x');
    session.fail(new Error('gone'));
    await expect(pending).rejects.toThrow('gone');
    await expect(session.stat('/y')).rejects.toThrow('gone');
  });

  it('treats a reply for an unknown request as a protocol failure', async () => {
    const { session } = harness((_type, _body, id) => status(id + 100, Status.OK));
    await session.init();
    await expect(session.remove('/x')).rejects.toThrow(/unknown request/);
  });
});
