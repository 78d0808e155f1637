/**
 * `ovn_global`: columns and `options` of NB_Global / SB_Global (e.g. `ipsec=true`,
 * `options:ipsec_encapsulation=true`), written only where they differ.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { because, ctlTarget, readTables } from './common.js';
import {
  ctlCommand,
  type Decoded,
  mapAssignment,
  mapText,
  optional,
  ovsdbScalar,
  ovsdbString,
  stringMap,
} from './ovsdb.js';

type Scalar = string | number | boolean;

export interface GlobalParams {
  db: 'nb' | 'sb';
  connection?: string;
  timeout?: number | string;
  /** Scalar columns (`ipsec: true`). */
  columns?: Record<string, Scalar>;
  /** Keys of the options map; null removes a key. */
  options?: Record<string, Scalar | null>;
}

const COLUMN_NAME = /^[a-z_][a-z0-9_]*$/;

function sameScalar(have: Decoded | undefined, want: Scalar): boolean {
  const v = optional(have);
  if (typeof want === 'boolean') return v === want;
  if (typeof want === 'number') return v === want;
  return v !== null && String(v) === want;
}

export const ovnGlobalModule = defineModule<GlobalParams>({
  name: 'ovn_global',
  schema: 'ovn_global',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const t = ctlTarget(p.db === 'nb' ? 'ovn-nbctl' : 'ovn-sbctl', p.connection, p.timeout);
      const table = p.db === 'nb' ? 'NB_Global' : 'SB_Global';
      const columns = p.columns ?? {};
      for (const c of Object.keys(columns)) {
        if (!COLUMN_NAME.test(c) || c === 'options')
          fail(`columns: "${c}" is not a scalar column name (options go under options:)`);
      }
      const [rows = []] = await readTables(
        ctx,
        t,
        [[`--columns=${[...Object.keys(columns), 'options'].join(',')}`, 'list', table]],
        table,
      );
      if (rows.length > 1) fail(`${table} has ${rows.length} rows; expected one`);
      const row = rows[0] ?? {};
      const haveOptions = stringMap(row.options);
      const sets: string[] = [];
      const removes: string[] = [];
      const reasons: string[] = [];
      for (const [c, v] of Object.entries(columns)) {
        if (sameScalar(row[c], v)) continue;
        sets.push(`${c}=${ovsdbScalar(v)}`);
        reasons.push(`${c} ${JSON.stringify(optional(row[c]))} -> ${JSON.stringify(v)}`);
      }
      for (const [k, v] of Object.entries(p.options ?? {})) {
        if (v === null) {
          if (!(k in haveOptions)) continue;
          removes.push(ovsdbString(k));
          reasons.push(`options:${k} removed`);
          continue;
        }
        if (haveOptions[k] === mapText(v)) continue;
        sets.push(mapAssignment('options', k, mapText(v)));
        reasons.push(`options:${k} ${haveOptions[k] ?? '(unset)'} -> ${mapText(v)}`);
      }
      const result = {
        table,
        columns: Object.fromEntries(Object.keys(columns).map((c) => [c, optional(row[c])])),
        options: haveOptions,
      };
      const commands: string[][] = [];
      if (sets.length > 0) commands.push(['set', table, '.', ...sets]);
      if (removes.length > 0) commands.push(['remove', table, '.', 'options', ...removes]);
      if (commands.length === 0) return { steps: [], result };
      return {
        steps: [
          {
            kind: 'exec',
            command: ctlCommand(t, commands, { write: true }),
            why: because(ctx, `update ${table}: ${reasons.join('; ')}`),
          },
        ],
        result,
      };
    }),
});
