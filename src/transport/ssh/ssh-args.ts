import { OvnctlError } from '../../errors.js';
import { splitShellWords } from '../../shell.js';
import type { HostKeyChecking, ProxyJump } from './settings.js';

/** `[user@]host[:port]`, `[user@][v6addr]:port` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string): { user?: string; address: string; port?: number } {
  let rest = spec.startsWith('ssh://') ? spec.slice(6) : spec;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
  }
  let address = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracketed) {
    address = bracketed[1] as string;
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [address, portText] = rest.split(':') as [string, string];
  }
  if (!address || (user !== undefined && !user)) throw new Error(`cannot parse '${spec}'`);
  const out: { user?: string; address: string; port?: number } = { address };
  if (user !== undefined) out.user = user;
  if (portText !== undefined) {
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`bad port in '${spec}'`);
    out.port = port;
  }
  return out;
}

/** What ovnctl takes from `ansible_ssh_common_args` / `ansible_ssh_extra_args`. */
export interface SshArgSettings {
  proxyJump?: ProxyJump;
  hostKeyChecking?: HostKeyChecking;
  knownHostsFiles?: string[];
  identityFiles?: string[];
  connectTimeoutMs?: number;
}

function hostKeyCheckingOption(value: string): HostKeyChecking {
  const v = value.toLowerCase();
  if (v === 'yes' || v === 'ask') return 'strict';
  if (v === 'accept-new') return 'accept-new';
  if (v === 'no' || v === 'off') return 'off';
  throw new Error(`StrictHostKeyChecking=${value} is not understood`);
}

/**
 * Reads the OpenSSH options ovnctl honours from an args string, rejecting those it would
 * silently get wrong (ProxyCommand, multi-hop ProxyJump). `varName` appears in errors.
 */
export function parseSshArgs(
  host: string,
  varName: string,
  text: string,
  defaultUser: string,
): SshArgSettings {
  function fail(why: string): never {
    throw new OvnctlError('invalid-input', `${host}: ${varName}: ${why}`, {
      hint: 'supported: -o ProxyJump=user@host:port, -J, -o StrictHostKeyChecking, -o UserKnownHostsFile, -o ConnectTimeout, -i',
    });
  }
  let words: string[];
  try {
    words = splitShellWords(text);
  } catch (e) {
    return fail((e as Error).message);
  }
  const out: SshArgSettings = {};
  const jump = (spec: string): void => {
    if (spec.toLowerCase() === 'none') return;
    if (spec.includes(',')) fail('multi-hop ProxyJump is not supported (one jump host only)');
    try {
      const j = parseJumpSpec(spec);
      out.proxyJump = { address: j.address, port: j.port ?? 22, user: j.user ?? defaultUser };
    } catch (e) {
      fail(`ProxyJump ${(e as Error).message}`);
    }
  };
  const option = (text: string): void => {
    const m = /^([A-Za-z]+)(?:\s*=\s*|\s+)(.*)$/s.exec(text.trim());
    if (!m) fail(`cannot parse option '${text}'`);
    const name = (m[1] as string).toLowerCase();
    const value = (m[2] as string).trim();
    if (name === 'proxyjump') jump(value);
    else if (name === 'proxycommand') fail('ProxyCommand is not supported; use -o ProxyJump=user@host:port');
    else if (name === 'stricthostkeychecking') {
      try {
        out.hostKeyChecking = hostKeyCheckingOption(value);
      } catch (e) {
        fail((e as Error).message);
      }
    } else if (name === 'userknownhostsfile') out.knownHostsFiles = splitShellWords(value);
    else if (name === 'identityfile') out.identityFiles = [...(out.identityFiles ?? []), value];
    else if (name === 'connecttimeout') {
      const s = Number(value);
      if (!Number.isFinite(s) || s <= 0) fail(`ConnectTimeout=${value} is not a positive number`);
      out.connectTimeoutMs = s * 1000;
    }
    // Everything else tunes OpenSSH itself (ControlMaster, ServerAliveInterval, LogLevel...): ignored.
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    const next = (): string => {
      const v = words[++i];
      if (v === undefined) return fail(`${w} needs a value`);
      return v;
    };
    if (w === '-o') option(next());
    else if (w.startsWith('-o')) option(w.slice(2));
    else if (w === '-J') jump(next());
    else if (w.startsWith('-J')) jump(w.slice(2));
    else if (w === '-i') out.identityFiles = [...(out.identityFiles ?? []), next()];
    else if (w.startsWith('-i')) out.identityFiles = [...(out.identityFiles ?? []), w.slice(2)];
  }
  return out;
}
