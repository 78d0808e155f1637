import { builtinModules } from './builtin/index.js';
import { pkiModules } from './pki/index.js';
import { ModuleRegistry } from './registry.js';
import type { ModuleDefinition } from './types.js';

export function defaultRegistry(): ModuleRegistry {
  return new ModuleRegistry([...builtinModules, ...pkiModules] as ModuleDefinition<never>[]);
}
