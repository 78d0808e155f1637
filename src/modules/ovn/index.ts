import type { ModuleDefinition } from '../types.js';
import { ovnChassisModule } from './chassis.js';
import { ovnDbClusterModule } from './cluster.js';
import { ovnCtlOptsModule } from './ctl-opts.js';
import { ovnDbSslModule } from './db-ssl.js';
import { ovnDbTlsModule } from './db-tls.js';
import { ovnGlobalModule } from './global.js';
import { ovnRaftBackupModule } from './raft-backup.js';
import { ovnRaftHealthModule } from './raft-health.js';
import { ovnRaftMemberModule } from './raft-member.js';
import { ovnRaftPlanModule } from './raft-plan.js';

/**
 * OVN modules: database TLS and listeners, raft status, chassis settings, NB/SB_Global, ovn-ctl
 * options; and moving raft members from tcp to ssl (health, plan, backup, member).
 */
// biome-ignore lint/suspicious/noExplicitAny: each module keeps its own parameter type; the registry validates arguments against the schema first.
export const ovnModules: ModuleDefinition<any>[] = [
  ovnDbTlsModule,
  ovnDbSslModule,
  ovnDbClusterModule,
  ovnChassisModule,
  ovnGlobalModule,
  ovnCtlOptsModule,
  ovnRaftHealthModule,
  ovnRaftPlanModule,
  ovnRaftBackupModule,
  ovnRaftMemberModule,
];
