import { resolve } from 'node:path';
import { dump } from 'js-yaml';
import { explain, type Layer, mergeLayers } from '../config/layers.js';
import { InventoryVars } from '../engine/vars.js';
import { formatLocation, OvnctlError } from '../errors.js';
import { looksLikePrivateKey, looksSecret, REDACTED } from '../report/redact.js';
import { VaultedValue } from '../yaml/tags.js';
import { COMMON_OPTIONS, parseCommandArgs, str } from './args.js';
import { EXIT } from './exit-codes.js';
import { VARS_HELP } from './help.js';
import type { CliIo } from './io.js';
import { resolvePlaybook } from './paths.js';
import { loadCommon } from './setup.js';

const VARS_OPTIONS = {
  ...COMMON_OPTIONS,
  explain: { type: 'string' },
  playbook: { type: 'string', short: 'p' },
} as const;

/** Secrets become REDACTED; vault values are never decrypted for display. */
function shown(key: string, value: unknown): unknown {
  if (value instanceof VaultedValue) return '<vaulted>';
  if (typeof value === 'string' && (looksSecret(key, value) || looksLikePrivateKey(value))) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => shown(key, v));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, looksSecret(k, v) ? REDACTED : shown(k, v)]),
    );
  }
  return value;
}

export async function varsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, VARS_OPTIONS, 'vars');
  if (values.help) {
    io.stdout(VARS_HELP);
    return EXIT.ok;
  }
  const host = positionals[0];
  if (!host || positionals.length > 1)
    throw new OvnctlError('usage', 'ovnctl vars takes exactly one host name');
  const loaded = await loadCommon(values, io.env, io.cwd);
  if (!loaded.inventory.hosts.has(host))
    throw new OvnctlError('usage', `host '${host}' is not in the inventory`);
  const playbookArg = str(values.playbook);
  const playbookDir = playbookArg ? resolve(resolvePlaybook(playbookArg, io.cwd), '..') : undefined;
  const layers: Layer[] = [
    ...new InventoryVars(loaded.inventory, playbookDir, loaded.vault).layers(host),
    ...loaded.extraVars,
  ];
  const merged = mergeLayers(layers);
  const name = str(values.explain);
  if (name !== undefined) {
    const ex = explain(merged, name);
    if (ex.definitions.length === 0) {
      io.stdout(`${name}: not defined for ${host} in the inventory, group_vars/host_vars or extra vars\n`);
      return EXIT.error;
    }
    io.stdout(`${name} for ${host} (lowest precedence first; the last one wins):\n`);
    ex.definitions.forEach((d, i) => {
      const where = d.location
        ? formatLocation({ ...d.location, key: name }).replace(/ \(key: .*\)$/, '')
        : d.file;
      const value = JSON.stringify(shown(name, d.value));
      io.stdout(
        `  ${i === ex.definitions.length - 1 ? '*' : ' '} ${d.level.padEnd(34)} ${value}  (${where})\n`,
      );
    });
    return EXIT.ok;
  }
  if (str(values.output) === 'json') {
    const out: Record<string, { value: unknown; layer: string; file: string }> = {};
    for (const [k, v] of Object.entries(merged.vars)) {
      const layer = merged.layers[merged.origin.get(k) ?? 0];
      out[k] = { value: shown(k, v), layer: layer?.level ?? '', file: layer?.source.file ?? '' };
    }
    io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.ok;
  }
  for (const k of Object.keys(merged.vars).sort()) {
    const layer = merged.layers[merged.origin.get(k) ?? 0];
    const text = dump({ [k]: shown(k, merged.vars[k]) }, { lineWidth: 200 }).trimEnd();
    io.stdout(
      `${text}    # ${layer?.level ?? '?'}${layer?.source.file.startsWith('/') ? ` (${layer.source.file})` : ''}\n`,
    );
  }
  return EXIT.ok;
}
