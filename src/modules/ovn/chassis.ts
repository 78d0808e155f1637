/**
 * `ovn_chassis`: what ovn-controller reads from the local Open vSwitch database: its TLS files
 * (`ovs-vsctl set-ssl`), `external_ids` (system-id, ovn-remote, encap...) and `other_config`
 * (the IPsec certificate). Only keys that differ are written.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { because, checkFiles, ctlTarget, readTables } from './common.js';
import { ctlCommand, mapAssignment, mapText, ovsdbString, stringMap } from './ovsdb.js';

type MapValue = string | number | boolean | null;

export interface ChassisParams {
  /** The ovs-vsctl --db (default: the local unix socket). */
  connection?: string;
  timeout?: number | string;
  ssl?: { private_key: string; certificate: string; ca_cert: string };
  /** Keys set to these values; null removes a key. */
  external_ids?: Record<string, MapValue>;
  /** Keys set only when absent (an existing system-id is the chassis identity: it is kept). */
  external_ids_default?: Record<string, string | number | boolean>;
  other_config?: Record<string, MapValue>;
}

interface MapPlan {
  sets: [string, string][];
  removes: string[];
  after: Record<string, string>;
  reasons: string[];
}

function planMap(
  column: string,
  have: Record<string, string>,
  want: Record<string, MapValue> = {},
  defaults: Record<string, string | number | boolean> = {},
): MapPlan {
  const plan: MapPlan = { sets: [], removes: [], after: { ...have }, reasons: [] };
  for (const [k, v] of Object.entries(defaults)) {
    if (k in want || k in have) continue;
    plan.sets.push([k, mapText(v)]);
    plan.after[k] = mapText(v);
    plan.reasons.push(`${column}:${k} set to ${mapText(v)}`);
  }
  for (const [k, v] of Object.entries(want)) {
    if (v === null) {
      if (!(k in have)) continue;
      plan.removes.push(k);
      delete plan.after[k];
      plan.reasons.push(`${column}:${k} removed`);
      continue;
    }
    const text = mapText(v);
    if (have[k] === text) continue;
    plan.sets.push([k, text]);
    plan.after[k] = text;
    plan.reasons.push(k in have ? `${column}:${k} ${have[k]} -> ${text}` : `${column}:${k} set to ${text}`);
  }
  return plan;
}

export const ovnChassisModule = defineModule<ChassisParams>({
  name: 'ovn_chassis',
  schema: 'ovn_chassis',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const t = ctlTarget('ovs-vsctl', p.connection, p.timeout);
      const warnings: string[] = [];
      if (p.ssl) {
        await checkFiles(
          ctx,
          [
            { label: 'ssl.private_key', path: p.ssl.private_key },
            { label: 'ssl.certificate', path: p.ssl.certificate },
            { label: 'ssl.ca_cert', path: p.ssl.ca_cert },
          ],
          warnings,
        );
      }
      const [sslRows = [], ovsRows = []] = await readTables(
        ctx,
        t,
        [
          ['--columns=private_key,certificate,ca_cert', 'list', 'SSL'],
          ['--columns=external_ids,other_config', 'list', 'Open_vSwitch'],
        ],
        'the Open vSwitch database',
      );
      const ovs = ovsRows[0];
      if (!ovs) fail(`the Open vSwitch database behind ${t.db} has no Open_vSwitch row (run ovs-vsctl init)`);
      const haveIds = stringMap(ovs.external_ids);
      const haveOther = stringMap(ovs.other_config);
      const ids = planMap('external_ids', haveIds, p.external_ids, p.external_ids_default);
      const other = planMap('other_config', haveOther, p.other_config);

      const commands: string[][] = [];
      const reasons: string[] = [];
      const ssl = sslRows[0];
      if (p.ssl) {
        const diff = (['private_key', 'certificate', 'ca_cert'] as const).filter(
          (c) => String(ssl?.[c] ?? '') !== p.ssl?.[c],
        );
        if (diff.length > 0 || sslRows.length !== 1) {
          commands.push(['set-ssl', p.ssl.private_key, p.ssl.certificate, p.ssl.ca_cert]);
          reasons.push(ssl ? `SSL ${diff.join(', ') || 'rows'} changed` : 'no SSL settings yet');
        }
      }
      const sets = [
        ...ids.sets.map(([k, v]) => mapAssignment('external_ids', k, v)),
        ...other.sets.map(([k, v]) => mapAssignment('other_config', k, v)),
      ];
      if (sets.length > 0) commands.push(['set', 'Open_vSwitch', '.', ...sets]);
      if (ids.removes.length > 0)
        commands.push(['remove', 'Open_vSwitch', '.', 'external_ids', ...ids.removes.map(ovsdbString)]);
      if (other.removes.length > 0)
        commands.push(['remove', 'Open_vSwitch', '.', 'other_config', ...other.removes.map(ovsdbString)]);
      reasons.push(...ids.reasons, ...other.reasons);

      const oldId = haveIds['system-id'];
      const newId = ids.after['system-id'];
      if (oldId !== undefined && newId !== oldId) {
        warnings.push(
          `system-id changes from ${oldId} to ${newId ?? '(none)'}: ovn-controller registers a new chassis; remove the old one with ovn-sbctl chassis-del ${oldId}`,
        );
      }
      const result = {
        system_id: newId ?? null,
        external_ids: ids.after,
        other_config: other.after,
        ssl: ssl
          ? {
              private_key: String(ssl.private_key ?? ''),
              certificate: String(ssl.certificate ?? ''),
              ca_cert: String(ssl.ca_cert ?? ''),
            }
          : null,
      };
      if (commands.length === 0) return { steps: [], result, warnings };
      return {
        steps: [
          {
            kind: 'exec',
            command: ctlCommand(t, commands, { write: true }),
            why: because(ctx, `configure the chassis: ${reasons.join('; ')}`),
          },
        ],
        result,
        warnings,
      };
    }),
});
