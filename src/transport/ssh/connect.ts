import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import { OvnctlError } from '../../errors.js';
import { loadPrivateKey } from './keys.js';
import { fingerprint, judgeHostKey, preferredHostKeyAlgorithms } from './known-hosts.js';
import { readKnownHosts, recordHostKey } from './known-hosts-store.js';
import { defaultConnectionLimiter } from './limiter.js';
import type { SshSettings } from './settings.js';

type Client = ssh2.Client;

/** One SSH hop: the host itself, or the jump host in front of it. */
interface Hop {
  /** Prefix for messages: `infra1` or `infra1: jump host 10.0.0.5:22`. */
  label: string;
  address: string;
  port: number;
  user: string;
}

export interface Connection {
  client: Client;
  /** The jump host's connection, closed together with `client`. */
  jump?: Client;
}

function unreachable(label: string, reason: string, hint?: string): OvnctlError {
  return new OvnctlError('unreachable', `${label}: ${reason}`, hint ? { hint } : {});
}

/** A short reason for an ssh2 or socket error; never includes key material or passwords. */
export function describeSshError(err: Error & { code?: string; level?: string }, hop: Hop): string {
  const where = `${hop.address}:${hop.port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `connection refused by ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `no route to ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve '${hop.address}'`;
    case 'ECONNRESET':
    case 'EPIPE':
      return `connection to ${where} reset`;
    case 'ETIMEDOUT':
      return `TCP connection to ${where} timed out`;
  }
  if (err.level === 'client-authentication')
    return `authentication as '${hop.user}' failed (no accepted key)`;
  if (err.level === 'client-timeout') return `no answer from ${where} (keepalive timeout)`;
  if (err.level === 'handshake') return `SSH handshake with ${where} failed: ${err.message}`;
  return `${err.message} (${where})`;
}

async function authMethods(settings: SshSettings, hop: Hop): Promise<ssh2.AuthMethod[]> {
  const methods: ssh2.AuthMethod[] = [];
  if (settings.agentSocket) {
    methods.push({ type: 'agent', username: hop.user, agent: settings.agentSocket } as ssh2.AgentAuthMethod);
  }
  for (const file of settings.privateKeyFiles) {
    const key = await loadPrivateKey(file, settings.passphrase);
    methods.push({ type: 'publickey', username: hop.user, key } as ssh2.PublicKeyAuthMethod);
  }
  if (methods.length === 0) {
    throw unreachable(
      hop.label,
      'no SSH key to authenticate with',
      'set ansible_ssh_private_key_file or --private-key, or run ssh-agent',
    );
  }
  return methods;
}

/**
 * Connects and authenticates one hop; rejects with OvnctlError('unreachable'). Keys and
 * known_hosts are read before `openSock` is called, so ssh2 owns the socket from its first event.
 */
async function handshake(
  settings: SshSettings,
  hop: Hop,
  openSock: () => Duplex,
  deadline: number,
): Promise<Client> {
  const checking = settings.hostKeyChecking;
  const [known, auth] = await Promise.all([
    checking === 'off' ? Promise.resolve([]) : readKnownHosts(settings.knownHostsFiles),
    authMethods(settings, hop),
  ]);
  const client = new ssh2.Client();
  const sock = openSock();
  return new Promise<Client>((resolve, reject) => {
    let refusal: OvnctlError | undefined;
    let lastError: (Error & { code?: string; level?: string }) | undefined;
    let done = false;
    const finish = (error: OvnctlError | undefined): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!error) {
        resolve(client);
        return;
      }
      client.removeAllListeners('ready');
      client.destroy();
      sock.destroy();
      reject(error);
    };
    const timer = setTimeout(
      () =>
        finish(
          unreachable(
            hop.label,
            `timed out after ${settings.connectTimeoutMs / 1000} s connecting to ${hop.address}:${hop.port}`,
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );

    const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      const verdict = checking === 'off' ? undefined : judgeHostKey(known, hop.address, hop.port, key);
      if (!verdict || verdict.kind === 'known') {
        verify(true);
        return;
      }
      const seen = fingerprint(key);
      if (verdict.kind === 'revoked') {
        refusal = unreachable(
          hop.label,
          `host key ${seen} is marked @revoked in ${verdict.entry.file}:${verdict.entry.line}`,
        );
      } else if (verdict.kind === 'changed') {
        const was = [...new Set(verdict.known.map((e) => fingerprint(e.key)))].join(', ');
        const where = verdict.known.map((e) => `${e.file}:${e.line}`).join(', ');
        refusal = unreachable(
          hop.label,
          `HOST KEY CHANGED for ${hop.address}:${hop.port}: known_hosts has ${was}, the host presented ${seen}`,
          `if the host was reinstalled, remove the old entry (${where}), e.g. ssh-keygen -R ${hop.address}`,
        );
      } else if (checking === 'strict') {
        refusal = unreachable(
          hop.label,
          `host key ${seen} for ${hop.address}:${hop.port} is not in known_hosts (strict host key checking)`,
          'add it with ssh-keyscan after checking the fingerprint, or use host key checking accept-new',
        );
      } else {
        recordHostKey(settings.knownHostsWriteFile, hop.address, hop.port, key).then(
          () => verify(true),
          (e: NodeJS.ErrnoException) => {
            refusal = unreachable(
              hop.label,
              `cannot record the new host key in ${settings.knownHostsWriteFile} (${e.code ?? e.message})`,
            );
            verify(false);
          },
        );
        return;
      }
      verify(false);
    };

    client.on('ready', () => finish(undefined));
    client.on('error', (e: Error) => {
      lastError = e;
    });
    client.on('close', () => {
      if (refusal) return finish(refusal);
      finish(
        unreachable(
          hop.label,
          lastError
            ? describeSshError(lastError, hop)
            : `connection to ${hop.address}:${hop.port} closed during the handshake`,
        ),
      );
    });

    const preferred = preferredHostKeyAlgorithms(
      known,
      hop.address,
      hop.port,
    ) as ssh2.ServerHostKeyAlgorithm[];
    const config: ssh2.ConnectConfig = {
      sock,
      username: hop.user,
      authHandler: auth,
      hostVerifier,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 4,
      readyTimeout: 0,
    };
    // ssh2's `prepend` skips algorithms already listed, so move them: remove first, then prepend.
    if (preferred.length > 0)
      config.algorithms = { serverHostKey: { remove: preferred, prepend: preferred, append: [] } };
    try {
      client.connect(config);
    } catch (e) {
      finish(unreachable(hop.label, (e as Error).message));
    }
  });
}

/** A TCP socket with Nagle off before the first byte: every request/response saves a delayed-ACK wait. */
function tcpSocket(address: string, port: number): Socket {
  const sock = new Socket();
  sock.setNoDelay(true);
  sock.connect({ host: address, port, noDelay: true });
  return sock;
}

function forward(jump: Client, hop: Hop, target: Hop, deadline: number, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          unreachable(
            hop.label,
            `timed out after ${timeoutMs / 1000} s opening a tunnel to ${target.address}:${target.port}`,
          ),
        ),
      Math.max(0, deadline - Date.now()),
    );
    jump.forwardOut('127.0.0.1', 0, target.address, target.port, (err, stream) => {
      clearTimeout(timer);
      if (err)
        reject(unreachable(hop.label, `could not reach ${target.address}:${target.port}: ${err.message}`));
      else resolve(stream);
    });
  });
}

/**
 * Opens the one connection a transport uses for the whole run (through the jump host when
 * set), holding a limiter slot for the handshakes only.
 */
export function openConnection(settings: SshSettings): Promise<Connection> {
  const limiter = settings.limiter ?? defaultConnectionLimiter;
  return limiter.run(async () => {
    const deadline = Date.now() + settings.connectTimeoutMs;
    const target: Hop = {
      label: settings.host,
      address: settings.address,
      port: settings.port,
      user: settings.user,
    };
    if (!settings.proxyJump) {
      return {
        client: await handshake(settings, target, () => tcpSocket(target.address, target.port), deadline),
      };
    }
    const j = settings.proxyJump;
    const jumpHop: Hop = {
      label: `${settings.host}: jump host ${j.address}:${j.port}`,
      address: j.address,
      port: j.port,
      user: j.user,
    };
    const jump = await handshake(settings, jumpHop, () => tcpSocket(j.address, j.port), deadline);
    try {
      const stream = await forward(jump, jumpHop, target, deadline, settings.connectTimeoutMs);
      return { client: await handshake(settings, target, () => stream, deadline), jump };
    } catch (e) {
      jump.end();
      throw e;
    }
  });
}
