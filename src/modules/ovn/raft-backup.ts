/**
 * `ovn_raft_backup`: before a member's database file is replaced, a copy of it (the raft log as
 * it is) and a standalone database made from that copy (`ovsdb-tool cluster-to-standalone`),
 * which `ovsdb-tool create-cluster FILE STANDALONE ADDRESS` turns back into a cluster.
 */
import { basename } from 'node:path';
import { fail, planOrFail } from '../builtin/support/failure.js';
import { shellQuote } from '../builtin/support/shell.js';
import { defineModule, type Plan } from '../types.js';
import { because } from './common.js';
import { DEFAULT_DB_FILE, type RaftDb, SCHEMA_NAME } from './raft-status.js';

export interface BackupParams {
  db: RaftDb;
  db_file?: string;
  /** Directory on the member for the copies (made 0700). */
  dest: string;
  /** Also write the standalone database (default true). */
  standalone?: boolean;
  /** Text in the copies' names; default: the time of the run (UTC, e.g. 20260101T000000Z). */
  stamp?: string;
}

export function timeStamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export const ovnRaftBackupModule = defineModule<BackupParams>({
  name: 'ovn_raft_backup',
  schema: 'ovn_raft_backup',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const file = p.db_file || DEFAULT_DB_FILE[p.db];
      if (!file.startsWith('/')) fail(`db_file must be an absolute path, got "${file}"`);
      if (!p.dest.startsWith('/')) fail(`dest must be an absolute path, got "${p.dest}"`);
      const stamp = p.stamp || timeStamp(ctx.now());
      if (!/^[A-Za-z0-9._-]+$/.test(stamp))
        fail(`stamp "${stamp}" may hold letters, digits, '.', '_' and '-' only`);
      const schema = SCHEMA_NAME[p.db];
      const st = await ctx.target.stat(file);
      if (st?.type !== 'file') {
        return {
          steps: [],
          skipped: `${file} does not exist on ${ctx.target.host}: nothing to back up`,
          result: { db: p.db, backup: null, standalone: null },
        };
      }
      const name = basename(file).replace(/\.db$/, '');
      const copy = `${p.dest}/${name}-${stamp}.db`;
      const standalone = p.standalone === false ? null : `${p.dest}/${name}-${stamp}-standalone.db`;
      const tmp = `${copy}.tmp`;
      const steps: Plan['steps'] = [
        { kind: 'mkdir', path: p.dest, mode: 0o700, why: because(ctx, `create ${p.dest}`) },
        {
          kind: 'exec',
          command: `cp -p -- ${shellQuote(file)} ${shellQuote(tmp)} && mv -f -- ${shellQuote(tmp)} ${shellQuote(copy)}`,
          why: because(ctx, `copy ${file} to ${copy}`),
        },
      ];
      if (standalone)
        steps.push({
          kind: 'exec',
          command: ['ovsdb-tool', 'cluster-to-standalone', standalone, copy].map(shellQuote).join(' '),
          why: because(ctx, `write the ${schema} data as the standalone database ${standalone}`),
        });
      const where = standalone ? `${copy} (standalone copy: ${standalone})` : copy;
      return {
        steps,
        msg: `${ctx.check ? 'would back up' : 'backed up'} ${schema} on ${ctx.target.host}: ${file} -> ${where}`,
        result: { db: p.db, backup: copy, standalone },
      };
    }),
});
