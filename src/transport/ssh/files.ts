import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import type { FileStat } from '../types.js';
import { isNoSuchFile, type SftpSession, SftpStatusError } from './sftp-client.js';
import { OpenFlag, type SftpAttrs, Status } from './sftp-codec.js';

/** Numeric owner for SFTP; undefined ids are left unchanged. */
export interface Ownership {
  uid?: number;
  gid?: number;
}

const S_IFMT = 0o170000;

export function toFileStat(a: SftpAttrs): FileStat {
  const fmt = (a.permissions ?? 0) & S_IFMT;
  return {
    type: fmt === 0o100000 ? 'file' : fmt === 0o040000 ? 'directory' : fmt === 0o120000 ? 'symlink' : 'other',
    mode: (a.permissions ?? 0) & 0o7777,
    uid: a.uid ?? 0,
    gid: a.gid ?? 0,
    size: a.size ?? 0,
    mtimeMs: (a.mtime ?? 0) * 1000,
  };
}

/** Stat following links; a dangling link is reported as 'symlink'; null when absent. */
export async function statPath(sftp: SftpSession, path: string): Promise<FileStat | null> {
  try {
    return toFileStat(await sftp.stat(path));
  } catch (e) {
    if (!isNoSuchFile(e)) throw e;
  }
  try {
    return { ...toFileStat(await sftp.stat(path, false)), type: 'symlink' };
  } catch (e) {
    if (isNoSuchFile(e)) return null;
    throw e;
  }
}

export async function readWhole(sftp: SftpSession, path: string): Promise<Buffer | null> {
  let handle: Buffer;
  try {
    handle = await sftp.open(path, OpenFlag.READ);
  } catch (e) {
    if (isNoSuchFile(e)) return null;
    throw e;
  }
  try {
    const attrs = await sftp.fstat(handle);
    if (toFileStat(attrs).type === 'directory') throw new SftpStatusError(Status.FAILURE, 'is a directory');
    return await sftp.readAll(handle, attrs.size ?? 0);
  } finally {
    await sftp.close(handle).catch(() => {});
  }
}

/** `.<name>.ovnctl-<random>` beside the target: same filesystem, so the rename is atomic. */
export function tempPathFor(path: string): string {
  return posix.join(posix.dirname(path), `.${posix.basename(path)}.ovnctl-${randomBytes(6).toString('hex')}`);
}

/** Owner first, mode second: chown may clear setuid/setgid bits that the mode sets. */
function attributeRequests(
  sftp: SftpSession,
  target: Buffer | string,
  mode: number | undefined,
  owner: Ownership,
): Promise<void>[] {
  const set = (a: SftpAttrs): Promise<void> =>
    typeof target === 'string' ? sftp.setstat(target, a) : sftp.fsetstat(target, a);
  const requests: Promise<void>[] = [];
  if (owner.uid !== undefined || owner.gid !== undefined) requests.push(set({ ...owner }));
  if (mode !== undefined) requests.push(set({ permissions: mode }));
  return requests;
}

/** Awaits every request (sent together, answered in order) and throws the first failure. */
async function all(requests: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(requests);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/**
 * Temp file in the target's directory (created with owner-only permissions, so nobody else
 * can open it meanwhile), data, owner, mode, fsync, close, then one rename over the target
 * (posix-rename@openssh.com: an atomic replace). On any failure the temp file is removed and
 * the target is untouched.
 */
export async function writeAtomic(
  sftp: SftpSession,
  path: string,
  data: Buffer,
  mode: number,
  owner: Ownership,
): Promise<void> {
  const temp = tempPathFor(path);
  let handle: Buffer | undefined;
  try {
    handle = await sftp.open(temp, OpenFlag.WRITE | OpenFlag.CREAT | OpenFlag.EXCL, {
      permissions: mode & 0o700,
    });
    await sftp.writeAll(handle, data);
    const h = handle;
    handle = undefined;
    await all([...attributeRequests(sftp, h, mode, owner), sftp.fsync(h), sftp.close(h)]);
    await sftp.rename(temp, path);
  } catch (e) {
    if (handle) await sftp.close(handle).catch(() => {});
    if (!sftp.failed) await sftp.remove(temp).catch(() => {});
    throw e;
  }
}

export async function setAttrs(
  sftp: SftpSession,
  path: string,
  mode: number | undefined,
  owner: Ownership,
): Promise<void> {
  await all(attributeRequests(sftp, path, mode, owner));
}

/** mkdir -p: parents get 0755 (as mkdir -p under the usual umask), the last one `mode` and `owner`. */
export async function mkdirP(sftp: SftpSession, path: string, mode: number, owner: Ownership): Promise<void> {
  const missing: string[] = [];
  let current = posix.normalize(path);
  for (;;) {
    const st = await statPath(sftp, current);
    if (st?.type === 'directory') break;
    if (st) throw new SftpStatusError(Status.FAILURE, `${current} exists and is not a directory`);
    missing.unshift(current);
    const parent = posix.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const dir of missing) {
    try {
      await sftp.mkdir(dir, { permissions: dir === missing[missing.length - 1] ? mode & 0o777 : 0o755 });
    } catch (e) {
      // Created meanwhile by a concurrent task: fine if it is a directory now.
      if ((await statPath(sftp, dir))?.type !== 'directory') throw e;
    }
  }
  await setAttrs(sftp, path, mode, owner);
}

/**
 * SFTP v3 reports a full or read-only file system only as "failure": ask the file system
 * (statvfs@openssh.com) which, so the message can say why. Undefined when it is neither.
 */
export async function writeFailureReason(
  sftp: SftpSession,
  path: string,
  e: unknown,
  size: number,
): Promise<string | undefined> {
  if (!(e instanceof SftpStatusError) || e.status !== Status.FAILURE) return undefined;
  try {
    const fs = await sftp.statvfs(posix.dirname(path));
    if (!fs) return undefined;
    if (fs.readOnly) return 'read-only file system';
    // Room for the data plus some slack: space is allocated in blocks.
    if (fs.freeBytes < size + 8192)
      return `no space left on the file system (${fs.freeBytes} bytes free, ${size} needed)`;
  } catch {
    // Only a courtesy: the original error stands.
  }
  return undefined;
}
