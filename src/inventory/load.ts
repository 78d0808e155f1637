import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isDir, readYamlDocument, type VaultDecryptor } from '../config/files.js';
import { OvnctlError } from '../errors.js';
import type { Inventory } from './model.js';
import { addYamlInventory, emptyInventory, ensureGroup, ensureHost, finishInventory } from './parse.js';

/**
 * Read `-i` sources: an Ansible YAML file, a directory of them, or a `h1,h2,` host list.
 * The implicit `localhost` (local connection, not in `all`) is added when not declared.
 */
export function loadInventory(sources: readonly string[], cwd: string, vault?: VaultDecryptor): Inventory {
  const inv = emptyInventory();
  for (const source of sources) {
    const path = resolve(cwd, source);
    if (!existsSync(path) && source.includes(',')) {
      const ungrouped = ensureGroup(inv, 'ungrouped');
      for (const name of source
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        ensureHost(inv, name);
        if (!ungrouped.hosts.includes(name)) ungrouped.hosts.push(name);
      }
      continue;
    }
    if (isDir(path)) {
      inv.sources.push(path);
      for (const entry of readdirSync(path).sort()) {
        if (/\.(ya?ml)$/.test(entry)) addYamlInventory(inv, readYamlDocument(join(path, entry), vault));
      }
      continue;
    }
    if (!existsSync(path)) {
      throw new OvnctlError('usage', `inventory source ${source} does not exist`, {
        hint: 'check the -i argument',
      });
    }
    if (!/\.(ya?ml|json)$/.test(path)) {
      throw new OvnctlError('invalid-input', `${source}: only YAML inventories are supported`, {
        location: { file: path },
        hint: 'convert INI inventories with `ansible-inventory -i FILE --list --yaml`',
      });
    }
    inv.sources.push(dirname(path));
    addYamlInventory(inv, readYamlDocument(path, vault));
  }
  if (!inv.hosts.has('localhost')) {
    const local = ensureHost(inv, 'localhost');
    local.implicit = true;
    inv.order.splice(inv.order.indexOf('localhost'), 1);
    inv.order.push('localhost');
    local.vars.push({
      layer: 'implicit localhost',
      file: '<implicit>',
      vars: { ansible_connection: 'local', ansible_python_interpreter: process.execPath },
    });
  }
  finishInventory(inv);
  return inv;
}
