import type { HostResultEvent, Reporter, RunEvent } from './events.js';
import { formatRecap } from './recap.js';

const banner = (title: string): string => `${title} ${'*'.repeat(Math.max(3, 79 - title.length))}`;

export interface PlainOptions {
  write: (text: string) => void;
  verbosity: number;
  color: boolean;
}

const COLORS: Record<string, string> = {
  ok: '32',
  changed: '33',
  failed: '31',
  unreachable: '31',
  skipped: '36',
  warning: '35',
};

/** Ansible-style lines, for CI logs and any non-TTY output. */
export class PlainReporter implements Reporter {
  constructor(private readonly o: PlainOptions) {}

  private paint(kind: string, text: string): string {
    const code = COLORS[kind];
    return this.o.color && code ? `\u001b[${code}m${text}\u001b[0m` : text;
  }

  private line(text = ''): void {
    this.o.write(`${text}\n`);
  }

  private hostLine(e: HostResultEvent): void {
    const who = e.delegatedTo && e.delegatedTo !== e.host ? `${e.host} -> ${e.delegatedTo}` : e.host;
    const item = e.item ? ` => (item=${e.item})` : '';
    if (e.status === 'failed') {
      const label = e.ignored ? 'fatal (ignored)' : 'fatal';
      this.line(this.paint('failed', `${label}: [${who}]${item}: FAILED! => ${e.msg ?? 'failed'}`));
    } else if (e.status === 'unreachable') {
      this.line(this.paint('unreachable', `fatal: [${who}]: UNREACHABLE! => ${e.msg ?? ''}`));
    } else {
      const msg = e.msg && (e.status !== 'skipped' || this.o.verbosity > 0) ? ` => ${e.msg}` : '';
      this.line(this.paint(e.status, `${e.status}: [${who}]${item}${msg}`));
    }
    const showSteps =
      e.status === 'changed' && (this.o.verbosity > 0 || e.steps?.some((s) => s.startsWith('would')));
    if (showSteps || (e.steps && this.o.verbosity > 0))
      for (const s of e.steps ?? []) this.line(`    - ${s}`);
    for (const d of e.diff ?? []) this.line(d);
    for (const w of e.warnings ?? []) this.line(this.paint('warning', `[WARNING]: ${e.host}: ${w}`));
    if (this.o.verbosity > 1 && e.result) this.line(JSON.stringify(e.result, null, 2));
  }

  onEvent(e: RunEvent): void {
    switch (e.kind) {
      case 'run-start':
        if (e.check) this.line('(check mode: nothing will be changed)');
        break;
      case 'play-start':
        this.line();
        this.line(banner(`PLAY [${e.name}]`));
        break;
      case 'task-start':
        this.line();
        this.line(banner(`${e.handler ? 'RUNNING HANDLER' : 'TASK'} [${e.name}]`));
        if (this.o.verbosity > 0 && e.path) this.line(`task path: ${e.path}`);
        break;
      case 'host-result':
        this.hostLine(e);
        break;
      case 'warning':
        this.line(this.paint('warning', `[WARNING]: ${e.host ? `${e.host}: ` : ''}${e.msg}`));
        break;
      case 'play-end':
        break;
      case 'run-end':
        this.line();
        this.line(formatRecap(e.stats));
        if (e.failedHostsFile) this.line(`\nto retry, use: --limit @${e.failedHostsFile}`);
        break;
    }
  }

  async close(): Promise<void> {}
}
