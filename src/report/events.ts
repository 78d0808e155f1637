/** The run's typed event log: the engine emits these, reporters consume them. */

export type HostStatus = 'ok' | 'changed' | 'failed' | 'skipped' | 'unreachable';

export interface HostStats {
  ok: number;
  changed: number;
  unreachable: number;
  failures: number;
  skipped: number;
  rescued: number;
  ignored: number;
}

export interface HostResultEvent {
  kind: 'host-result';
  play: number;
  task: number;
  host: string;
  /** The host that actually did the work, when delegated. */
  delegatedTo?: string;
  status: HostStatus;
  /** The failure was ignored (ignore_errors). */
  ignored?: boolean;
  /** A loop item label, for per-item results. */
  item?: string;
  msg?: string;
  /** Reasons of the steps applied (or, in check mode, that would be applied). */
  steps?: string[];
  /** Unified diffs of text files (never of secrets). */
  diff?: string[];
  /** Registered result (already redacted), shown with -v and in JSON. */
  result?: Record<string, unknown>;
  warnings?: string[];
  durationMs: number;
}

export type RunEvent =
  | { kind: 'run-start'; playbook: string; check: boolean; diff: boolean }
  | { kind: 'play-start'; play: number; name: string; hosts: string[] }
  | { kind: 'task-start'; play: number; task: number; name: string; path: string; handler: boolean }
  | HostResultEvent
  | { kind: 'warning'; msg: string; host?: string }
  | { kind: 'play-end'; play: number; durationMs: number }
  | { kind: 'run-end'; stats: Record<string, HostStats>; durationMs: number; failedHostsFile?: string };

export interface Reporter {
  onEvent(event: RunEvent): void;
  /** Called once after run-end; resolves when output is flushed. */
  close(): Promise<void>;
}

export function emptyStats(): HostStats {
  return { ok: 0, changed: 0, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 };
}
