import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The installed package root (holds playbooks/, inventories/, schemas/). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BUNDLED_PLAYBOOKS = resolve(PACKAGE_ROOT, 'playbooks');
export const DEFAULT_INVENTORY = resolve(PACKAGE_ROOT, 'inventories/local.yml');

/** A playbook argument that is not an existing path resolves to the bundled playbooks/. */
export function resolvePlaybook(arg: string, cwd: string): string {
  const direct = resolve(cwd, arg);
  if (existsSync(direct)) return direct;
  for (const name of [arg, `${arg}.yml`]) {
    const bundled = resolve(BUNDLED_PLAYBOOKS, name);
    if (existsSync(bundled)) return bundled;
  }
  return direct;
}
