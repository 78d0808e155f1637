import { OvnctlError } from '../errors.js';
import type { Facts } from '../modules/types.js';
import { renderDeep } from '../template/index.js';
import { LocalTransport } from '../transport/local.js';
import type { Transport } from '../transport/types.js';

export type SshTransportFactory = (
  host: string,
  vars: Readonly<Record<string, unknown>>,
) => Transport | Promise<Transport>;

/** One transport per host for the whole run, connected on first use. */
export class TransportFactory {
  private readonly transports = new Map<string, Promise<Transport>>();
  readonly controller: LocalTransport = new LocalTransport('localhost');

  constructor(
    private readonly ssh: SshTransportFactory | undefined,
    private readonly decrypt?: (envelope: string) => string,
  ) {}

  /** The connected transport for `host`; throws OvnctlError('unreachable') when it cannot connect. */
  get(host: string, vars: Readonly<Record<string, unknown>>): Promise<Transport> {
    let t = this.transports.get(host);
    if (!t) {
      t = this.create(host, vars);
      this.transports.set(host, t);
    }
    return t;
  }

  private async create(host: string, rawVars: Readonly<Record<string, unknown>>): Promise<Transport> {
    const vars = connectionVars(rawVars, this.decrypt);
    const connection = String(vars.ansible_connection ?? 'ssh');
    if (connection === 'local') return host === 'localhost' ? this.controller : new LocalTransport(host);
    if (connection !== 'ssh' && connection !== 'paramiko' && connection !== 'smart') {
      throw new OvnctlError('unreachable', `${host}: connection type '${connection}' is not supported`, {
        hint: 'use ansible_connection: ssh or local',
      });
    }
    if (!this.ssh) throw new OvnctlError('unreachable', `${host}: the SSH transport is not available`);
    const transport = await this.ssh(host, vars);
    await transport.connect();
    return transport;
  }

  async closeAll(): Promise<void> {
    const all = [...this.transports.values()];
    this.transports.clear();
    await Promise.all(all.map((p) => p.then((t) => t.close()).catch(() => {})));
  }
}

/** Connection variables (`ansible_*`) rendered, so `ansible_host: "{{ mgmt_ip }}"` works. */
function connectionVars(
  vars: Readonly<Record<string, unknown>>,
  decrypt: ((envelope: string) => string) | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const opts = decrypt ? { decryptVault: (v: { envelope: string }) => decrypt(v.envelope) } : {};
  for (const [k, v] of Object.entries(vars)) {
    if (k.startsWith('ansible_') || k.startsWith('ovnctl_')) out[k] = renderDeep(v, vars, opts);
  }
  return out;
}

/** The read-only view of a transport that modules plan with. */
export function factsOf(transport: Transport, becomeUser: string | undefined): Facts {
  return {
    host: transport.host,
    stat: (p) => transport.stat(p),
    read: (p) => transport.readFile(p),
    sha256: (ps) => transport.sha256(ps),
    query: (cmd, opts) => transport.exec(cmd, becomeUser ? { ...opts, becomeUser } : opts),
    lookupId: (kind, name) => transport.lookupId(kind, name),
  };
}
