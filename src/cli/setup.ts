import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseExtraVarsArg } from '../config/extra-vars.js';
import type { VaultDecryptor } from '../config/files.js';
import type { Layer } from '../config/layers.js';
import { loadUserFiles } from '../config/user-files.js';
import { OvnctlError } from '../errors.js';
import { loadInventory } from '../inventory/load.js';
import type { Inventory } from '../inventory/model.js';
import { matchPattern, splitPattern } from '../inventory/patterns.js';
import { SecurityLog, securityLogSettings } from '../lifecycle/security-log.js';
import { SecretRegistry } from '../report/redact.js';
import { VaultKeyring, vaultSourcesFromCli } from '../vault/index.js';
import { list, type ParsedArgs, str } from './args.js';
import type { CliIo } from './io.js';
import { DEFAULT_INVENTORY } from './paths.js';

/** What every inventory-driven command loads first, in this order. */
export interface Loaded {
  cwd: string;
  configDir: string;
  secrets: SecretRegistry;
  vault: VaultDecryptor | undefined;
  inventory: Inventory;
  extraVars: Layer[];
}

export async function loadCommon(
  values: ParsedArgs['values'],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Loaded> {
  const configDir = resolve(cwd, str(values['config-dir']) ?? env.OVNCTL_CONFIG_DIR ?? '.');
  const secrets = new SecretRegistry();
  const sources = vaultSourcesFromCli({
    vaultIds: list(values['vault-id']),
    vaultPasswordFiles: list(values['vault-password-file']),
    env,
  });
  let vault: VaultDecryptor | undefined;
  if (sources.length > 0) {
    const keyring = await VaultKeyring.fromSources(sources);
    vault = {
      decrypt: (envelope, where) => {
        const plain = keyring.decrypt(envelope, where);
        secrets.add(plain);
        return plain;
      },
      secret: (value) => secrets.add(value),
    };
  }
  const invArgs = list(values.inventory);
  const invSources =
    invArgs.length > 0
      ? invArgs
      : env.ANSIBLE_INVENTORY
        ? env.ANSIBLE_INVENTORY.split(',')
        : [DEFAULT_INVENTORY];
  const inventory = loadInventory(invSources, cwd, vault);
  const extraVars: Layer[] = [
    ...loadUserFiles(configDir, vault).map((source) => ({ level: 'extra vars (user files)', source })),
    ...list(values['extra-vars']).map((arg, i) => ({
      level: 'extra vars (-e)',
      source: parseExtraVarsArg(arg, i, cwd, vault),
    })),
  ];
  return { cwd, configDir, secrets, vault, inventory, extraVars };
}

/** `--limit` hosts, or undefined for no limit. `@file` reads one pattern per line (a retry file). */
export function resolveLimit(
  inventory: Inventory,
  limit: string | undefined,
  cwd: string,
): Set<string> | undefined {
  if (limit === undefined) return undefined;
  const parts: string[] = [];
  for (const piece of limit.split(',')) {
    if (piece.startsWith('@')) {
      let text: string;
      try {
        text = readFileSync(resolve(cwd, piece.slice(1)), 'utf8');
      } catch {
        throw new OvnctlError('usage', `--limit ${piece}: cannot read ${piece.slice(1)}`);
      }
      parts.push(
        ...text
          .split('\n')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    } else parts.push(...splitPattern(piece));
  }
  const hosts = matchPattern(inventory, parts);
  if (hosts.length === 0) {
    throw new OvnctlError('no-hosts', `--limit ${limit}: no hosts to target`, {
      hint: 'check the pattern against `--list-hosts`',
    });
  }
  return new Set(hosts);
}

/** The security event log of this command (echoed to stderr with -v). */
export function openSecurityLog(loaded: Loaded, io: CliIo, verbose: boolean): SecurityLog {
  const settings = securityLogSettings(
    loaded.inventory,
    loaded.extraVars,
    loaded.configDir,
    io.env,
    verbose ? io.stderr : undefined,
  );
  return new SecurityLog(settings, io.stderr).open();
}
