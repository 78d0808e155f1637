import type { OvnctlError } from '../../../src/errors.js';
import { ConnectionLimiter } from '../../../src/transport/ssh/limiter.js';
import type { SshSettings } from '../../../src/transport/ssh/settings.js';
import type { Rig } from '../../rig/rig.js';

/** Settings for rig host i as its inventory describes it, strict host key checking. */
export function rigSettings(rig: Rig, i: number, overrides: Partial<SshSettings> = {}): SshSettings {
  const h = rig.hosts[i];
  if (!h) throw new Error(`no rig host ${i}`);
  return {
    host: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    privateKeyFiles: [rig.clientKeyFile],
    knownHostsFiles: [rig.knownHostsFile],
    knownHostsWriteFile: rig.knownHostsFile,
    hostKeyChecking: 'strict',
    connectTimeoutMs: 10_000,
    limiter: new ConnectionLimiter(16),
    ...(h.become ? { become: { method: 'sudo' as const, user: 'root' } } : {}),
    ...overrides,
  };
}

/** The rejection of `p`, which must reject. */
export async function rejection(p: Promise<unknown>): Promise<OvnctlError> {
  try {
    await p;
  } catch (e) {
    return e as OvnctlError;
  }
  throw new Error('expected a rejection');
}
