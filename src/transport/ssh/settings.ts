import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { OvnctlError } from '../../errors.js';
import type { ConnectionLimiter } from './limiter.js';
import { parseSshArgs } from './ssh-args.js';

export type HostKeyChecking = 'strict' | 'accept-new' | 'off';

export interface ProxyJump {
  address: string;
  port: number;
  user: string;
}

export interface BecomeSettings {
  method: 'sudo';
  user: string;
  /** The login user's sudo password; written to sudo's stdin when it prompts, never logged. */
  password?: string;
}

/** Everything one SSH transport needs; built by `sshSettingsFromVars` or by hand in tests. */
export interface SshSettings {
  /** Inventory name (used in every message). */
  host: string;
  /** Address to connect to (ansible_host, or the inventory name). */
  address: string;
  port: number;
  user: string;
  /** Tried in order after the agent; a missing or unreadable file is an error. */
  privateKeyFiles: string[];
  /** Asked once, only when a key file is encrypted. */
  passphrase?: () => Promise<string>;
  /** SSH_AUTH_SOCK of an agent to try first. */
  agentSocket?: string;
  /** Read in order; a missing file counts as empty. */
  knownHostsFiles: string[];
  /** Where accept-new records newly seen keys. */
  knownHostsWriteFile: string;
  hostKeyChecking: HostKeyChecking;
  /** Limit for TCP connect + key exchange + authentication (not for waiting on the limiter). */
  connectTimeoutMs: number;
  proxyJump?: ProxyJump;
  become?: BecomeSettings;
  /** Defaults to a process-wide limiter of 16 concurrent handshakes. */
  limiter?: ConnectionLimiter;
}

/**
 * Command-line options (ansible-playbook names) and controller environment that feed SSH
 * settings. Inventory variables win over these, as in Ansible (`ansible_user` beats `-u`).
 */
export interface SshCliOptions {
  /** `-u/--user`. */
  user?: string;
  /** `--private-key`. */
  privateKey?: string;
  /** `-T/--timeout`, seconds. */
  timeout?: number;
  /** `--host-key-checking`, or ANSIBLE_HOST_KEY_CHECKING mapped by the CLI (true->strict, false->off). */
  hostKeyChecking?: HostKeyChecking;
  /** `-b/--become`. */
  become?: boolean;
  /** `--become-user`. */
  becomeUser?: string;
  /** Answer to `-K/--ask-become-pass`. */
  becomePassword?: string;
  /** Prompts for a key passphrase (the CLI decides how; never called when keys are unencrypted). */
  passphrase?: () => Promise<string>;
  /** Defaults to process.env.SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** Replaces ~/.ssh/known_hosts + /etc/ssh/ssh_known_hosts. */
  knownHostsFiles?: string[];
  /** Defaults to the first user known_hosts file. */
  knownHostsWriteFile?: string;
  /** Home directory for `~` and default files (default: os.homedir()). */
  home?: string;
  limiter?: ConnectionLimiter;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function scalar(host: string, vars: Readonly<Record<string, unknown>>, names: string[]): string | undefined {
  for (const name of names) {
    const v = vars[name];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
    // A vaulted value or a structure here means the caller did not resolve variables first;
    // its text would be "<vaulted>" or "[object Object]", never what the user meant.
    throw new OvnctlError('invalid-input', `${host}: ${name} must be a plain value`, {
      hint: 'connection variables are read after templating and vault decryption',
    });
  }
  return undefined;
}

function bool(host: string, name: string, text: string): boolean {
  const v = text.toLowerCase();
  if (['true', 'yes', 'on', '1', 'y'].includes(v)) return true;
  if (['false', 'no', 'off', '0', 'n'].includes(v)) return false;
  throw new OvnctlError('invalid-input', `${host}: ${name} must be a boolean, got '${text}'`);
}

function port(host: string, name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new OvnctlError('invalid-input', `${host}: ${name} must be a port number, got '${text}'`);
  }
  return n;
}

function hostKeyCheckingVar(host: string, name: string, text: string): HostKeyChecking {
  if (text === 'strict' || text === 'accept-new' || text === 'off') return text;
  return bool(host, name, text) ? 'strict' : 'off';
}

/**
 * Maps a host's connection variables and the command line to SshSettings.
 * Variables: ansible_host, ansible_port, ansible_user (and their ansible_ssh_* aliases),
 * ansible_ssh_private_key_file, ansible_ssh_common_args / ansible_ssh_extra_args (-o ProxyJump, -J,
 * -o StrictHostKeyChecking, -o UserKnownHostsFile, -o ConnectTimeout, -i), ansible_timeout,
 * ansible_become, ansible_become_method (sudo only), ansible_become_user, ansible_become_password,
 * ovnctl_host_key_checking (strict|accept-new|off) over ansible_host_key_checking (bool or those words).
 * Host key checking defaults to accept-new.
 */
export function sshSettingsFromVars(
  host: string,
  vars: Readonly<Record<string, unknown>>,
  cli: SshCliOptions = {},
): SshSettings {
  const home = cli.home ?? homedir();
  const expand = (p: string): string => {
    const full = p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
    return isAbsolute(full) ? full : join(process.cwd(), full);
  };
  const user = scalar(host, vars, ['ansible_user', 'ansible_ssh_user']) ?? cli.user ?? userInfo().username;
  const args = ['ansible_ssh_common_args', 'ansible_ssh_extra_args'].map((name) => {
    const text = scalar(host, vars, [name]);
    return text ? parseSshArgs(host, name, text, user) : {};
  });
  const fromArgs = Object.assign({}, ...args) as ReturnType<typeof parseSshArgs>;

  const keyVar = scalar(host, vars, ['ansible_ssh_private_key_file', 'ansible_private_key_file']);
  const explicitKeys = [keyVar ?? cli.privateKey, ...(fromArgs.identityFiles ?? [])].filter(
    (k): k is string => k !== undefined && k !== '',
  );
  const privateKeyFiles =
    explicitKeys.length > 0
      ? explicitKeys.map(expand)
      : ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f)).filter((f) => existsSync(f));

  const userKnownHosts = (fromArgs.knownHostsFiles ?? cli.knownHostsFiles)?.map(expand);
  const knownHostsFiles = userKnownHosts ?? [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
  const knownHostsWriteFile = cli.knownHostsWriteFile
    ? expand(cli.knownHostsWriteFile)
    : (knownHostsFiles[0] ?? join(home, '.ssh', 'known_hosts'));

  const ovnctlCheck = scalar(host, vars, ['ovnctl_host_key_checking']);
  if (ovnctlCheck !== undefined && !['strict', 'accept-new', 'off'].includes(ovnctlCheck)) {
    throw new OvnctlError(
      'invalid-input',
      `${host}: ovnctl_host_key_checking must be strict, accept-new or off`,
    );
  }
  const ansibleCheck = scalar(host, vars, ['ansible_host_key_checking']);
  const hostKeyChecking: HostKeyChecking =
    (ovnctlCheck as HostKeyChecking | undefined) ??
    (ansibleCheck !== undefined
      ? hostKeyCheckingVar(host, 'ansible_host_key_checking', ansibleCheck)
      : undefined) ??
    fromArgs.hostKeyChecking ??
    cli.hostKeyChecking ??
    'accept-new';

  const timeoutVar = scalar(host, vars, ['ansible_timeout', 'ansible_ssh_timeout']);
  let connectTimeoutMs =
    fromArgs.connectTimeoutMs ?? (cli.timeout !== undefined ? cli.timeout * 1000 : DEFAULT_TIMEOUT_MS);
  if (timeoutVar !== undefined) {
    const s = Number(timeoutVar);
    if (!Number.isFinite(s) || s <= 0)
      throw new OvnctlError('invalid-input', `${host}: ansible_timeout must be seconds`);
    connectTimeoutMs = s * 1000;
  }

  const settings: SshSettings = {
    host,
    address: scalar(host, vars, ['ansible_host', 'ansible_ssh_host']) ?? host,
    port: port(host, 'ansible_port', scalar(host, vars, ['ansible_port', 'ansible_ssh_port']) ?? '22'),
    user,
    privateKeyFiles,
    knownHostsFiles,
    knownHostsWriteFile,
    hostKeyChecking,
    connectTimeoutMs,
  };
  if (cli.passphrase) settings.passphrase = cli.passphrase;
  const agent = cli.agentSocket ?? process.env.SSH_AUTH_SOCK;
  if (agent) settings.agentSocket = agent;
  if (fromArgs.proxyJump) settings.proxyJump = fromArgs.proxyJump;
  if (cli.limiter) settings.limiter = cli.limiter;

  const becomeVar = scalar(host, vars, ['ansible_become']);
  const become = becomeVar !== undefined ? bool(host, 'ansible_become', becomeVar) : (cli.become ?? false);
  if (become) {
    const method = scalar(host, vars, ['ansible_become_method']) ?? 'sudo';
    if (method !== 'sudo') {
      throw new OvnctlError('invalid-input', `${host}: ansible_become_method '${method}' is not supported`, {
        hint: 'ovnctl supports become through sudo only',
      });
    }
    const password =
      scalar(host, vars, ['ansible_become_password', 'ansible_become_pass', 'ansible_sudo_pass']) ??
      cli.becomePassword;
    settings.become = {
      method: 'sudo',
      user: scalar(host, vars, ['ansible_become_user']) ?? cli.becomeUser ?? 'root',
      ...(password !== undefined ? { password } : {}),
    };
  }
  return settings;
}
