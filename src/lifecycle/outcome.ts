/** What a mutating certificates command did, run by run: printed as it goes (text) or at the end (json). */
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import type { RunOutcome } from './session.js';

export interface RunRecord {
  step: string;
  playbook: string;
  limit?: string[];
  failed_hosts: string[];
  unreachable_hosts: string[];
  changed_hosts: string[];
  failures: string[];
}

export class Progress {
  readonly runs: RunRecord[] = [];
  readonly notes: string[] = [];

  constructor(
    private readonly io: CliIo,
    private readonly json: boolean,
  ) {}

  say(text: string): void {
    this.notes.push(text);
    if (!this.json) this.io.stdout(`${text}\n`);
  }

  record(step: string, o: RunOutcome, limit?: ReadonlySet<string>): RunRecord {
    const stats = Object.entries(o.summary.stats);
    const rec: RunRecord = {
      step,
      playbook: o.playbook,
      ...(limit ? { limit: [...limit] } : {}),
      failed_hosts: o.summary.failedHosts,
      unreachable_hosts: o.summary.unreachableHosts,
      changed_hosts: stats.filter(([, s]) => s.changed > 0).map(([h]) => h),
      failures: o.failures,
    };
    this.runs.push(rec);
    if (!this.json) {
      const bad = [...rec.failed_hosts, ...rec.unreachable_hosts];
      this.io.stdout(
        `${step}: ${o.playbook}${limit ? ` (limit ${[...limit].join(',')})` : ''}: ` +
          `${bad.length ? `FAILED on ${bad.join(', ')}` : 'ok'}` +
          `${rec.changed_hosts.length ? `; changed: ${rec.changed_hosts.join(', ')}` : ''}\n`,
      );
      for (const f of o.failures) this.io.stdout(`  ${f}\n`);
    }
    return rec;
  }

  /** 4 when a host was unreachable, 2 when one failed, else 0 (as `ovnctl run`). */
  exitCode(): number {
    if (this.runs.some((r) => r.unreachable_hosts.length > 0)) return EXIT.unreachable;
    if (this.runs.some((r) => r.failed_hosts.length > 0)) return EXIT.hostFailed;
    return EXIT.ok;
  }

  finish(command: string, extra: Record<string, unknown> = {}): void {
    if (this.json)
      this.io.stdout(
        `${JSON.stringify({ command, runs: this.runs, notes: this.notes, ...extra }, null, 2)}\n`,
      );
  }
}
