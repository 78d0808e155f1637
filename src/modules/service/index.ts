import type { ModuleDefinition } from '../types.js';
import { checkedReloadModule } from './checked-reload.js';
import { haproxyTlsLayoutModule } from './haproxy-tls-layout.js';
import { pemBundleModule } from './pem-bundle.js';
import { tlsVerifyModule } from './tls-verify.js';

/** Service-side modules: TLS verification from the controller, bundles, layouts and checked reloads. */
// biome-ignore lint/suspicious/noExplicitAny: each module keeps its own parameter type; the registry validates arguments first.
export const serviceModules: ModuleDefinition<any>[] = [
  tlsVerifyModule,
  checkedReloadModule,
  pemBundleModule,
  haproxyTlsLayoutModule,
];
