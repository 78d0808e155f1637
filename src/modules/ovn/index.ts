import type { ModuleDefinition } from '../types.js';
import { ovnChassisModule } from './chassis.js';
import { ovnDbClusterModule } from './cluster.js';
import { ovnCtlOptsModule } from './ctl-opts.js';
import { ovnDbTlsModule } from './db-tls.js';
import { ovnGlobalModule } from './global.js';

/** OVN modules: database TLS and listeners, raft status, chassis settings, NB/SB_Global, ovn-ctl options. */
// biome-ignore lint/suspicious/noExplicitAny: each module keeps its own parameter type; the registry validates arguments against the schema first.
export const ovnModules: ModuleDefinition<any>[] = [
  ovnDbTlsModule,
  ovnDbClusterModule,
  ovnChassisModule,
  ovnGlobalModule,
  ovnCtlOptsModule,
];
