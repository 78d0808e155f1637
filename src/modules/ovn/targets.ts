/** OVS connection strings (`pssl:6642:10.0.0.1`, `ssl:[fd00::1]:6642`, `punix:/run/x.sock`). */
import { isIP } from 'node:net';

export type Protocol = 'pssl' | 'ptcp' | 'punix' | 'ssl' | 'tcp' | 'unix';

export interface Target {
  protocol: Protocol;
  /** The original text. */
  text: string;
  /** True for `ptcp`/`tcp`: no encryption, no authentication. */
  plaintext: boolean;
}

const PROTOCOLS: readonly Protocol[] = ['pssl', 'ptcp', 'punix', 'ssl', 'tcp', 'unix'];

function validPort(s: string | undefined): boolean {
  if (s === undefined || !/^\d{1,5}$/.test(s)) return false;
  const n = Number(s);
  return n >= 0 && n <= 65535;
}

function validHost(s: string, allowName: boolean): boolean {
  if (s.startsWith('[') && s.endsWith(']')) return isIP(s.slice(1, -1)) === 6;
  if (isIP(s) === 4) return true;
  return allowName && /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(s);
}

/** Parses one connection string; returns an error text instead when it is not one OVS accepts. */
export function parseTarget(text: string): Target | string {
  const colon = text.indexOf(':');
  const protocol = text.slice(0, colon) as Protocol;
  if (colon < 0 || !PROTOCOLS.includes(protocol)) {
    return `"${text}" is not an OVS connection (use pssl:PORT[:IP], ssl:HOST:PORT or punix:PATH)`;
  }
  const rest = text.slice(colon + 1);
  const plaintext = protocol === 'ptcp' || protocol === 'tcp';
  if (protocol === 'punix' || protocol === 'unix') {
    if (!rest.startsWith('/')) return `"${text}": a unix socket needs an absolute path`;
    return { protocol, text, plaintext };
  }
  if (protocol === 'pssl' || protocol === 'ptcp') {
    const cut = rest.indexOf(':');
    const port = cut < 0 ? rest : rest.slice(0, cut);
    const host = cut < 0 ? undefined : rest.slice(cut + 1);
    if (!validPort(port)) return `"${text}": "${port}" is not a port number`;
    if (host !== undefined && host !== '' && !validHost(host, false)) {
      return `"${text}": a listener binds to an IP address ("${host}" is not one; IPv6 goes in brackets)`;
    }
    return { protocol, text, plaintext };
  }
  const cut = rest.lastIndexOf(':');
  const host = rest.slice(0, cut);
  const port = rest.slice(cut + 1);
  if (cut < 0 || !validHost(host, true) || !validPort(port))
    return `"${text}": expected ${protocol}:HOST:PORT`;
  return { protocol, text, plaintext };
}

/** `host` as it goes into a connection string (IPv6 literals in brackets). */
export function hostPart(host: string): string {
  return isIP(host) === 6 ? `[${host}]` : host;
}
