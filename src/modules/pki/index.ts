import type { ModuleDefinition } from '../types.js';
import { pkiAuthorities } from './authorities.js';
import { pkiCertificates } from './certificates.js';
import { pkiInstall } from './install.js';
import { pkiInstallCa } from './install-ca.js';

// biome-ignore lint/suspicious/noExplicitAny: the registry holds modules of different parameter types
export const pkiModules: ModuleDefinition<any>[] = [
  pkiAuthorities,
  pkiCertificates,
  pkiInstall,
  pkiInstallCa,
];
