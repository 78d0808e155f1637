import { Listr, type ListrTaskWrapper } from 'listr2';
import type { HostResultEvent, Reporter, RunEvent } from './events.js';
import { formatRecap } from './recap.js';

interface LiveTask {
  title: string;
  results: HostResultEvent[];
  finish: () => void;
  wrapper?: ListrTaskWrapper<unknown, never, never>;
}

function summary(results: readonly HostResultEvent[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return [...counts].map(([k, v]) => `${k}=${v}`).join(' ');
}

/** A live task list on a TTY: one line per task that fills in as hosts report. */
export class ListrReporter implements Reporter {
  private chain: Promise<void> = Promise.resolve();
  private current: LiveTask | undefined;
  private failures: string[] = [];

  constructor(private readonly write: (text: string) => void) {}

  private endCurrent(): void {
    this.current?.finish();
    this.current = undefined;
  }

  private startTask(title: string): void {
    this.endCurrent();
    let finish: () => void = () => {};
    const done = new Promise<void>((r) => {
      finish = r;
    });
    const live: LiveTask = { title, results: [], finish };
    this.current = live;
    const list = new Listr(
      [
        {
          title,
          task: async (_ctx, wrapper) => {
            live.wrapper = wrapper as unknown as ListrTaskWrapper<unknown, never, never>;
            await done;
            const failed = live.results.filter(
              (r) => (r.status === 'failed' && !r.ignored) || r.status === 'unreachable',
            );
            wrapper.title = `${title} (${summary(live.results) || 'no hosts'})`;
            if (failed.length > 0)
              throw new Error(failed.map((r) => `${r.host}: ${r.msg ?? r.status}`).join('\n'));
          },
        },
      ],
      { exitOnError: false, rendererOptions: { collapseErrors: false }, registerSignalListeners: false },
    );
    this.chain = this.chain.then(() =>
      list.run().then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  onEvent(e: RunEvent): void {
    switch (e.kind) {
      case 'play-start':
        this.endCurrent();
        this.chain = this.chain.then(() => this.write(`\nPLAY [${e.name}]\n`));
        break;
      case 'task-start':
        this.startTask(`${e.handler ? 'HANDLER' : 'TASK'} [${e.name}]`);
        break;
      case 'host-result': {
        const live = this.current;
        if (!live) break;
        live.results.push(e);
        if (live.wrapper) live.wrapper.output = `${e.status}: [${e.host}]${e.msg ? ` ${e.msg}` : ''}`;
        if (e.status === 'failed' || e.status === 'unreachable')
          this.failures.push(`${e.host}: ${e.msg ?? e.status}`);
        for (const d of e.diff ?? []) this.chain = this.chain.then(() => this.write(`${d}\n`));
        for (const w of e.warnings ?? [])
          this.chain = this.chain.then(() => this.write(`[WARNING]: ${e.host}: ${w}\n`));
        break;
      }
      case 'warning':
        this.chain = this.chain.then(() => this.write(`[WARNING]: ${e.msg}\n`));
        break;
      case 'play-end':
        this.endCurrent();
        break;
      case 'run-end':
        this.endCurrent();
        this.chain = this.chain.then(() => {
          this.write(`\n${formatRecap(e.stats)}\n`);
          if (e.failedHostsFile) this.write(`\nto retry, use: --limit @${e.failedHostsFile}\n`);
        });
        break;
      case 'run-start':
        break;
    }
  }

  async close(): Promise<void> {
    this.endCurrent();
    await this.chain;
  }
}
