import type { ModuleDefinition } from '../types.js';
import { assertModule } from './assert.js';
import { blockinfileModule } from './blockinfile.js';
import { commandModule } from './command.js';
import { copyModule } from './copy.js';
import { debugModule } from './debug.js';
import { failModule } from './fail.js';
import { fileModule } from './file.js';
import { lineinfileModule } from './lineinfile.js';
import { serviceModule } from './service.js';
import { setFactModule } from './set_fact.js';
import { shellModule } from './shell.js';
import { statModule } from './stat.js';
import { templateModule } from './template.js';

// biome-ignore lint/suspicious/noExplicitAny: each module keeps its own parameter type; the registry validates arguments against the schema first.
export const builtinModules: ModuleDefinition<any>[] = [
  assertModule,
  blockinfileModule,
  commandModule,
  copyModule,
  debugModule,
  failModule,
  fileModule,
  lineinfileModule,
  serviceModule,
  setFactModule,
  shellModule,
  statModule,
  templateModule,
];
