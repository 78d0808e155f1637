/**
 * Turns a run's event stream into security events, without the engine knowing: run start and
 * end become SYS events, and every certificate or CA a PKI module reports under `issued` in a
 * changed result becomes AUTHN authn_password_changed (once, however many hosts share a
 * run_once result). `-e` overrides of regen flags are AUTHZ authz_admin.
 */
import { basename } from 'node:path';
import type { Layer } from '../config/layers.js';
import type { IssuedRecord } from '../modules/pki/issued.js';
import type { HostResultEvent, RunEvent } from '../report/events.js';
import type { SecurityEvent, SecurityLog } from './security-log.js';
import { serviceOfPlaybook } from './services.js';

export interface ObserverContext {
  /** The ovnctl command line that started the run, e.g. `run` or `certificates renew`. */
  command: string;
  /** Runs started by `certificates renew`: every issue is an automatic renewal. */
  renewal?: boolean;
}

function records(result: Record<string, unknown> | undefined): IssuedRecord[] {
  if (!result) return [];
  const own = Array.isArray(result.issued) ? (result.issued as IssuedRecord[]) : [];
  const items = Array.isArray(result.results) ? (result.results as Record<string, unknown>[]) : [];
  return [...own, ...items.flatMap((r) => (r && typeof r === 'object' ? records(r) : []))];
}

export class SecurityObserver {
  private playbook = '';
  private check = false;
  private readonly seen = new Set<string>();
  /** run_start waits until the run did something (or ended), so a refused run leaves no trace. */
  private pendingStart: SecurityEvent | undefined;
  private pendingEnd: SecurityEvent | undefined;

  constructor(
    private readonly log: SecurityLog,
    private readonly context: ObserverContext,
  ) {}

  onEvent(e: RunEvent): void {
    if (e.kind === 'run-start') {
      this.playbook = basename(e.playbook);
      this.check = e.check;
      this.pendingStart = {
        category: 'SYS',
        event: 'sys_startup',
        action: 'run_start',
        command: this.context.command,
        playbook: this.playbook,
        check: e.check,
      };
    } else if (e.kind === 'host-result') {
      if (!this.check && e.status === 'changed') for (const r of records(e.result)) this.issued(e, r);
    } else if (e.kind === 'run-end') {
      const hosts = Object.entries(e.stats);
      this.pendingEnd = {
        category: 'SYS',
        event: 'sys_shutdown',
        action: 'run_end',
        command: this.context.command,
        playbook: this.playbook,
        duration_ms: e.durationMs,
        changed_hosts: hosts.filter(([, s]) => s.changed > 0).map(([h]) => h),
        failed_hosts: hosts.filter(([, s]) => s.failures > 0).map(([h]) => h),
        unreachable_hosts: hosts.filter(([, s]) => s.unreachable > 0).map(([h]) => h),
      };
    }
  }

  /**
   * After the run: writes its start and end. A run refused as invalid input before it changed
   * anything (an undefined variable in the first task...) is not logged: nothing happened.
   */
  settle(refusedAsInvalid: boolean): void {
    const changed = (this.pendingEnd?.changed_hosts as string[] | undefined)?.length ?? 0;
    if (refusedAsInvalid && changed === 0 && this.pendingStart) {
      this.pendingStart = undefined;
      this.pendingEnd = undefined;
      return;
    }
    this.flushStart();
    if (this.pendingEnd) this.log.write(this.pendingEnd);
    this.pendingEnd = undefined;
  }

  private flushStart(): void {
    if (this.pendingStart) this.log.write(this.pendingStart);
    this.pendingStart = undefined;
  }

  private issued(e: HostResultEvent, r: IssuedRecord): void {
    if (typeof r?.name !== 'string' || typeof r.serial !== 'string') return;
    const key = `${r.kind}\0${r.name}\0${r.serial}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.flushStart();
    const common = {
      category: 'AUTHN' as const,
      event: 'authn_password_changed',
      serial: r.serial,
      not_after: r.not_after,
      issue: r.action,
      ...(r.reason ? { reason: r.reason } : {}),
      command: this.context.command,
      playbook: this.playbook,
    };
    if (r.kind === 'ca') {
      // MicroOVN's fields: subject=CA and whether ovnctl renews it (never a user-provided CA).
      this.log.write({
        ...common,
        subject: 'CA',
        ca: r.name,
        ca_subject: r.subject,
        auto_renew: !r.user_provided,
      });
      return;
    }
    const event: SecurityEvent = {
      ...common,
      action: 'issue_certificate',
      service: serviceOfPlaybook(this.playbook)?.name ?? r.name.split('_')[0] ?? r.name,
      certificate: r.name,
      subject: r.subject,
      host: e.host,
      auto_renew: Boolean(this.context.renewal) || r.renewal,
    };
    this.log.write(event);
  }
}

const REGEN_FLAG = /(^|_)regen_(cert|ca)$/;

/** AUTHZ events for every `-e` that sets a regen flag to something (an administrative override). */
export function regenOverrides(extraVars: readonly Layer[], command: string): SecurityEvent[] {
  const out: SecurityEvent[] = [];
  for (const l of extraVars) {
    if (l.level !== 'extra vars (-e)') continue;
    for (const [key, value] of Object.entries(l.source.vars)) {
      if (!REGEN_FLAG.test(key) || value === '' || value === false || value === null || value === undefined)
        continue;
      if (typeof value === 'string' && ['', 'false', 'no'].includes(value.trim().toLowerCase())) continue;
      out.push({
        category: 'AUTHZ',
        event: 'authz_admin',
        action: 'config_set',
        key,
        value: typeof value === 'string' ? value : JSON.stringify(value),
        command,
      });
    }
  }
  return out;
}
