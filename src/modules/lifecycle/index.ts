import type { ModuleDefinition } from '../types.js';
import { caRotationModule } from './ca-rotation.js';
import { certFactsModule } from './cert-facts.js';

/** Certificate lifecycle modules: read-only certificate facts and staged CA rotation. */
// biome-ignore lint/suspicious/noExplicitAny: each module keeps its own parameter type; the registry validates arguments first.
export const lifecycleModules: ModuleDefinition<any>[] = [certFactsModule, caRotationModule];
