import { defineModule } from '../types.js';
import { formatMode } from './support/mode.js';

export interface StatParams {
  path: string;
  get_checksum?: boolean;
  checksum_algorithm?: 'sha256';
}

/**
 * Ansible's stat, reduced to what the transport reports. Symlinks are followed, so `islnk` is
 * true only for a dangling link. `checksum` is SHA-256 (Ansible defaults to SHA-1; ovnctl's
 * transports hash with SHA-256 only, so `checksum_algorithm` accepts just `sha256`).
 */
export const statModule = defineModule<StatParams>({
  name: 'stat',
  schema: 'stat',
  async plan(p, ctx) {
    const st = await ctx.target.stat(p.path);
    if (!st) return { steps: [], result: { stat: { exists: false } } };
    const stat: Record<string, unknown> = {
      exists: true,
      path: p.path,
      isdir: st.type === 'directory',
      isreg: st.type === 'file',
      islnk: st.type === 'symlink',
      mode: formatMode(st.mode),
      uid: st.uid,
      gid: st.gid,
      size: st.size,
      mtime: st.mtimeMs / 1000,
    };
    if (st.type === 'file' && p.get_checksum !== false) {
      const sums = await ctx.target.sha256([p.path]);
      stat.checksum = sums.get(p.path) ?? null;
    }
    return { steps: [], result: { stat } };
  },
});
