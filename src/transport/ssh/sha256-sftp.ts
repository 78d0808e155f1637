import { createHash } from 'node:crypto';
import { toFileStat } from './files.js';
import { isNoSuchFile, type SftpSession, SftpStatusError } from './sftp-client.js';
import { OpenFlag, Status } from './sftp-codec.js';

/**
 * Files up to this size are hashed here after an SFTP read; larger ones by `sha256sum` on the
 * host, which saves moving them. Certificates, keys and configuration files are far below it.
 */
export const SFTP_HASH_LIMIT = 1 << 20;

/** A hash; null when the path is not a readable regular file; 'large' above `limit`. */
export type SftpHash = string | null | 'large';

/**
 * SHA-256 of one file read over the SFTP session. Cheaper for the host than an exec: no login
 * shell and no `sha256sum` process, which on a small host costs more than the transfer itself.
 * Like `sha256sum 2>/dev/null`, a missing, unreadable or non-regular path gives null.
 */
export async function sftpSha256(
  sftp: SftpSession,
  path: string,
  limit = SFTP_HASH_LIMIT,
): Promise<SftpHash> {
  let handle: Buffer;
  try {
    handle = await sftp.open(path, OpenFlag.READ);
  } catch (e) {
    if (isNoSuchFile(e) || (e instanceof SftpStatusError && e.status === Status.PERMISSION_DENIED))
      return null;
    throw e;
  }
  try {
    const st = toFileStat(await sftp.fstat(handle));
    if (st.type !== 'file') return null;
    if (st.size > limit) return 'large';
    return createHash('sha256')
      .update(await sftp.readAll(handle, st.size))
      .digest('hex');
  } finally {
    // Nobody waits for the close: the next request on the session is queued behind it anyway.
    sftp.close(handle).catch(() => {});
  }
}
