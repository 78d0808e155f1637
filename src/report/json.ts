import type { Reporter, RunEvent } from './events.js';

interface JsonTask {
  task: { name: string; id: number; path: string; handler: boolean };
  hosts: Record<string, Record<string, unknown>>;
}
interface JsonPlay {
  play: { name: string; id: number; duration?: { ms: number } };
  tasks: JsonTask[];
}

/** One JSON document at the end, shaped like Ansible's json callback. */
export class JsonReporter implements Reporter {
  private readonly plays: JsonPlay[] = [];
  private readonly warnings: string[] = [];
  private readonly tasks = new Map<number, JsonTask>();
  private doc: Record<string, unknown> = {};

  constructor(private readonly write: (text: string) => void) {}

  onEvent(e: RunEvent): void {
    switch (e.kind) {
      case 'play-start':
        this.plays.push({ play: { name: e.name, id: e.play }, tasks: [] });
        break;
      case 'task-start': {
        const t: JsonTask = {
          task: { name: e.name, id: e.task, path: e.path, handler: e.handler },
          hosts: {},
        };
        this.tasks.set(e.task, t);
        this.plays[this.plays.length - 1]?.tasks.push(t);
        break;
      }
      case 'host-result': {
        const t = this.tasks.get(e.task);
        if (!t) break;
        t.hosts[e.host] = {
          ...e.result,
          changed: e.status === 'changed',
          failed: e.status === 'failed',
          skipped: e.status === 'skipped',
          unreachable: e.status === 'unreachable',
          ...(e.ignored ? { ignored: true } : {}),
          ...(e.msg !== undefined ? { msg: e.msg } : {}),
          ...(e.steps ? { steps: e.steps } : {}),
          ...(e.diff ? { diff: e.diff } : {}),
          ...(e.warnings ? { warnings: e.warnings } : {}),
        };
        break;
      }
      case 'warning':
        this.warnings.push(e.msg);
        break;
      case 'play-end': {
        const p = this.plays.find((x) => x.play.id === e.play);
        if (p) p.play.duration = { ms: e.durationMs };
        break;
      }
      case 'run-end':
        this.doc = {
          plays: this.plays,
          stats: e.stats,
          warnings: this.warnings,
          duration: { ms: e.durationMs },
          ...(e.failedHostsFile ? { retry_file: e.failedHostsFile } : {}),
        };
        break;
      case 'run-start':
        break;
    }
  }

  async close(): Promise<void> {
    this.write(`${JSON.stringify(this.doc, null, 2)}\n`);
  }
}

/** One JSON object per line, as events happen. */
export class JsonLinesReporter implements Reporter {
  constructor(private readonly write: (text: string) => void) {}

  onEvent(e: RunEvent): void {
    this.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
  }

  async close(): Promise<void> {}
}
