import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import type { SshTransportFactory } from '../engine/transports.js';
import { OvnctlError } from '../errors.js';
import type { HostKeyChecking, SshCliOptions } from '../transport/ssh/index.js';
import { type ParsedArgs, str } from './args.js';
import { askOnce } from './prompt.js';

function readSecretFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  } catch {
    throw new OvnctlError('usage', `cannot read the ${what} file ${path}`);
  }
}

function hostKeyPolicy(values: ParsedArgs['values'], env: NodeJS.ProcessEnv): HostKeyChecking | undefined {
  const flag = str(values['host-key-checking']);
  if (flag !== undefined) {
    if (flag !== 'strict' && flag !== 'accept-new' && flag !== 'off') {
      throw new OvnctlError('usage', '--host-key-checking must be strict, accept-new or off');
    }
    return flag;
  }
  const fromEnv = env.OVNCTL_HOST_KEY_CHECKING ?? env.ANSIBLE_HOST_KEY_CHECKING;
  if (fromEnv === undefined) return undefined;
  if (fromEnv === 'strict' || fromEnv === 'accept-new' || fromEnv === 'off') return fromEnv;
  return /^(false|no|0|off)$/i.test(fromEnv) ? 'off' : 'strict';
}

/**
 * SSH settings from the command line and environment; inventory variables win per host.
 * Known hosts: the user's file plus `<config dir>/known_hosts`, where accept-new records keys.
 */
export function sshFactory(
  values: ParsedArgs['values'],
  env: NodeJS.ProcessEnv,
  configDir: string,
): SshTransportFactory {
  if (values['ask-become-pass']) {
    throw new OvnctlError('usage', '-K/--ask-become-pass needs a terminal; use --become-password-file', {
      hint: 'ovnctl never prompts: it runs in pipelines',
    });
  }
  const timeout = str(values.timeout);
  if (timeout !== undefined && !(Number(timeout) > 0))
    throw new OvnctlError('usage', '-T/--timeout takes seconds');
  const home = env.HOME ?? homedir();
  const configKnownHosts = join(configDir, 'known_hosts');
  const passFile = str(values['ssh-passphrase-file']);
  const becomePassFile = str(values['become-password-file']);
  const policy = hostKeyPolicy(values, env);
  const cli: SshCliOptions = {
    home,
    knownHostsFiles: [join(home, '.ssh', 'known_hosts'), configKnownHosts],
    knownHostsWriteFile: configKnownHosts,
    ...(str(values.user) !== undefined ? { user: str(values.user) as string } : {}),
    ...(str(values['private-key']) !== undefined
      ? { privateKey: resolve(str(values['private-key']) as string) }
      : {}),
    ...(timeout !== undefined ? { timeout: Number(timeout) } : {}),
    ...(policy ? { hostKeyChecking: policy } : {}),
    ...(values.become ? { become: true } : {}),
    ...(str(values['become-user']) !== undefined ? { becomeUser: str(values['become-user']) as string } : {}),
    ...(becomePassFile ? { becomePassword: readSecretFile(becomePassFile, 'become password') } : {}),
    ...(passFile
      ? { passphrase: async () => readSecretFile(passFile, 'key passphrase') }
      : process.stdin.isTTY
        ? { passphrase: askOnce('Enter passphrase for the SSH private key: ') }
        : {}),
  };
  // Loaded on the first SSH host only: a local run never pays for ssh2.
  return async (host, vars) => {
    const { createSshTransport, sshSettingsFromVars } = await import('../transport/ssh/index.js');
    return createSshTransport(sshSettingsFromVars(host, vars, cli));
  };
}
