/**
 * The security event log: JSON lines in the OWASP logging vocabulary MicroOVN uses
 * (`category` AUTHN/AUTHZ/SYS, `event` authn_password_changed / authz_admin / sys_*), appended to
 * `<config dir>/.ovnctl/security.log` (0600) and echoed to stderr with -v. On unless
 * `security_logging: false`; `security_log_file` moves it. Events carry names, subjects and
 * serials only: a line that would hold PEM text is refused.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
  writeSync,
} from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type Layer, mergeLayers } from '../config/layers.js';
import { OvnctlError } from '../errors.js';
import type { Inventory } from '../inventory/model.js';
import { truthy } from '../modules/pki/common.js';

export type SecurityCategory = 'AUTHN' | 'AUTHZ' | 'SYS';

export interface SecurityEvent {
  category: SecurityCategory;
  event: string;
  [field: string]: unknown;
}

export interface SecurityLogSettings {
  enabled: boolean;
  /** Absolute path of the JSON lines file. */
  file: string;
  /** With -v: each event also goes here, one line. */
  echo?: (line: string) => void;
  operator: string;
  /** The controller's host name (where ovnctl runs). */
  host: string;
}

const KEY_MATERIAL = /-----BEGIN [A-Z0-9 ]+-----|PRIVATE KEY/;

export class SecurityLog {
  private broken = false;

  constructor(
    readonly settings: SecurityLogSettings,
    /** Where a write failure in the middle of a run is reported (once). */
    private readonly warn: (text: string) => void = () => {},
  ) {}

  /**
   * Checks up front, without creating anything, that the log can be written: an unwritable log
   * stops the command before anything runs (a run that changes nothing leaves no file behind).
   */
  open(): this {
    if (!this.settings.enabled) return this;
    let probe = this.settings.file;
    while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
    try {
      accessSync(probe, constants.W_OK);
    } catch (e) {
      throw new OvnctlError('usage', `cannot write the security log ${this.settings.file} (${codeOf(e)})`, {
        hint: 'set security_log_file to a writable path, or security_logging: false',
      });
    }
    return this;
  }

  write(event: SecurityEvent): void {
    if (!this.settings.enabled) return;
    const line = JSON.stringify({
      time: new Date().toISOString(),
      security: true,
      ...event,
      operator: event.operator ?? this.settings.operator,
      host: event.host ?? this.settings.host,
      controller: this.settings.host,
    });
    // Only names, subjects and serials belong here: a line with anything like a key is withheld.
    const safe = KEY_MATERIAL.test(line)
      ? JSON.stringify({
          time: new Date().toISOString(),
          security: true,
          category: event.category,
          event: event.event,
          withheld: 'the event held PEM text',
        })
      : line;
    try {
      this.append(safe);
    } catch (e) {
      // The engine is mid-run: say so once, never break the run from an event callback.
      if (!this.broken)
        this.warn(`WARNING: cannot write the security log ${this.settings.file} (${codeOf(e)})\n`);
      this.broken = true;
    }
    this.settings.echo?.(`security: ${safe}\n`);
  }

  private append(line: string): void {
    mkdirSync(dirname(this.settings.file), { recursive: true, mode: 0o700 });
    const fd = openSync(this.settings.file, 'a', 0o600);
    try {
      fchmodSync(fd, 0o600);
      writeSync(fd, `${line}\n`);
    } finally {
      closeSync(fd);
    }
  }
}

function codeOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** Who runs ovnctl: $OVNCTL_OPERATOR, else the sudo caller, else the login user. */
export function operatorName(env: NodeJS.ProcessEnv): string {
  if (env.OVNCTL_OPERATOR) return env.OVNCTL_OPERATOR;
  if (env.SUDO_USER) return env.SUDO_USER;
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? 'unknown';
  }
}

/**
 * Settings from variables that hold for the whole run: the inventory's `all` vars, then
 * user_*.yml and -e (so `-e security_logging=false` wins).
 */
export function securityLogSettings(
  inventory: Inventory,
  extraVars: readonly Layer[],
  configDir: string,
  env: NodeJS.ProcessEnv,
  echo: ((line: string) => void) | undefined,
): SecurityLogSettings {
  const all = inventory.groups.get('all')?.vars ?? [];
  const vars = mergeLayers([...all.map((source) => ({ level: 'inventory', source })), ...extraVars]).vars;
  const enabled = vars.security_logging === undefined || truthy(vars.security_logging);
  const file =
    typeof vars.security_log_file === 'string' && vars.security_log_file.trim() !== ''
      ? vars.security_log_file
      : '.ovnctl/security.log';
  if (/\{\{|\{%/.test(file))
    throw new OvnctlError(
      'usage',
      'security_log_file must be a plain path (templates are not expanded there)',
    );
  return {
    enabled,
    file: resolve(configDir, file),
    ...(echo ? { echo } : {}),
    operator: operatorName(env),
    host: hostname(),
  };
}
