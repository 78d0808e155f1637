import { OvnctlError } from '../../errors.js';

import { shellQuote } from '../../shell.js';

export { shellQuote };

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The shell text sshd runs for an exec: optional `cd`, exported variables, then the command.
 * Variables are exported in the script rather than sent as SSH `env` requests, which sshd
 * silently drops unless `AcceptEnv` allows them.
 */
export function composeCommand(
  command: string,
  options: { env?: Record<string, string>; cwd?: string },
): string {
  const parts: string[] = [];
  if (options.cwd !== undefined) parts.push(`cd -- ${shellQuote(options.cwd)} || exit 1`);
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (!ENV_NAME.test(name))
      throw new OvnctlError('invalid-input', `invalid environment variable name '${name}'`);
    parts.push(`export ${name}=${shellQuote(value)}`);
  }
  parts.push(command);
  return parts.join('\n');
}

export interface SudoMarkers {
  /** Printed on stdout by the target shell once sudo has let it run. */
  success: string;
  /** sudo's password prompt (stderr), recognised to answer it exactly once. */
  prompt: string;
}

/**
 * `sudo -H -S [-n] -p <prompt> -u <user> -- /bin/sh -c '<echo success; script>'`.
 * `-n` when there is no password, so sudo fails instead of waiting for one; with a password,
 * `-S` reads it from stdin only after the prompt is seen (see become.ts).
 */
export function wrapSudo(script: string, user: string, markers: SudoMarkers, hasPassword: boolean): string {
  const inner = `echo ${markers.success}\n${script}`;
  const flags = hasPassword ? '-H -S' : '-H -S -n';
  return `sudo ${flags} -p ${shellQuote(markers.prompt)} -u ${shellQuote(user)} -- /bin/sh -c ${shellQuote(inner)}`;
}

/** Runs the first sftp-server found (Debian, RHEL, Arch, BSD paths) in place of the shell. */
export const SFTP_SERVER_SCRIPT = [
  'for p in /usr/lib/openssh/sftp-server /usr/libexec/openssh/sftp-server /usr/lib/ssh/sftp-server /usr/libexec/sftp-server; do',
  '  if [ -x "$p" ]; then exec "$p"; fi',
  'done',
  'echo "ovnctl: no sftp-server binary found" >&2',
  'exit 127',
].join('\n');

/**
 * Bounds a script on the host itself with coreutils `timeout` (TERM, then KILL a second
 * later, to its whole process group). Closing the channel alone does not stop a remote
 * command, and ssh2 cannot send a signal once stdin is closed. Hosts without `timeout` run
 * the script unbounded (the caller still gives up on time).
 */
export function withRemoteTimeout(script: string, seconds: number): string {
  const inner = shellQuote(script);
  return [
    `if command -v timeout >/dev/null 2>&1; then exec timeout -k 1 ${Math.max(1, Math.ceil(seconds))} /bin/sh -c ${inner}; fi`,
    `exec /bin/sh -c ${inner}`,
  ].join('\n');
}
