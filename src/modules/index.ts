import { builtinModules } from './builtin/index.js';
import { lifecycleModules } from './lifecycle/index.js';
import { ovnModules } from './ovn/index.js';
import { pkiModules } from './pki/index.js';
import { ModuleRegistry } from './registry.js';
import { serviceModules } from './service/index.js';
import type { ModuleDefinition } from './types.js';

export function defaultRegistry(): ModuleRegistry {
  return new ModuleRegistry([
    ...builtinModules,
    ...pkiModules,
    ...serviceModules,
    ...ovnModules,
    ...lifecycleModules,
  ] as ModuleDefinition<never>[]);
}
