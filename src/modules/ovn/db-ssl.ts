/**
 * `ovn_db_ssl`: only the SSL table of a running NB or SB database (`set-ssl`), listeners left as
 * they are. Raft members started with `--private-key=db:...` (ovn-ctl's default) take their key
 * and certificates from it: a plaintext cluster needs it before any member talks ssl to the
 * others. ovn_db_tls sets the same row together with the listeners.
 */
import { planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { because, checkFiles, ctlTarget, readTables } from './common.js';
import { ctlCommand } from './ovsdb.js';

export interface DbSslParams {
  db: 'nb' | 'sb';
  connection?: string;
  timeout?: number | string;
  private_key: string;
  certificate: string;
  ca_cert: string;
  ssl_protocols?: string;
  ssl_ciphers?: string;
}

const COLUMNS = ['private_key', 'certificate', 'ca_cert', 'ssl_protocols', 'ssl_ciphers'] as const;

export const ovnDbSslModule = defineModule<DbSslParams>({
  name: 'ovn_db_ssl',
  schema: 'ovn_db_ssl',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const t = ctlTarget(p.db === 'nb' ? 'ovn-nbctl' : 'ovn-sbctl', p.connection, p.timeout);
      const warnings: string[] = [];
      await checkFiles(
        ctx,
        [
          { label: 'private_key', path: p.private_key },
          { label: 'certificate', path: p.certificate },
          { label: 'ca_cert', path: p.ca_cert },
        ],
        warnings,
      );
      const [rows = []] = await readTables(
        ctx,
        t,
        [[`--columns=${COLUMNS.join(',')}`, 'list', 'SSL']],
        `the ${p.db.toUpperCase()} database's SSL table`,
      );
      const want: Record<(typeof COLUMNS)[number], string> = {
        private_key: p.private_key,
        certificate: p.certificate,
        ca_cert: p.ca_cert,
        ssl_protocols: p.ssl_protocols ?? '',
        ssl_ciphers: p.ssl_ciphers ?? '',
      };
      const row = rows[0];
      const have = row ? Object.fromEntries(COLUMNS.map((c) => [c, String(row[c] ?? '')])) : null;
      const diff = COLUMNS.filter((c) => have?.[c] !== want[c]);
      const result = { db: p.db, ssl: have };
      if (rows.length === 1 && diff.length === 0) return { steps: [], result, warnings };
      const args = ['set-ssl', p.private_key, p.certificate, p.ca_cert];
      if (want.ssl_protocols !== '' || want.ssl_ciphers !== '') args.push(want.ssl_protocols);
      if (want.ssl_ciphers !== '') args.push(want.ssl_ciphers);
      const reason = row ? `SSL ${diff.join(', ') || 'rows'} changed` : 'no SSL settings yet';
      return {
        steps: [
          {
            kind: 'exec',
            command: ctlCommand(t, [args], { write: true }),
            why: because(ctx, `set the ${p.db.toUpperCase()} database's SSL files: ${reason}`),
          },
        ],
        result,
        warnings,
      };
    }),
});
