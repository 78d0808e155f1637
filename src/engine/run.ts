import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { groupHosts } from '../inventory/parse.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { HostStats, RunEvent } from '../report/events.js';
import type { RunOptions } from './options.js';
import { PlayRunner } from './play.js';
import { RunContext } from './run-context.js';

export interface RunSummary {
  stats: Record<string, HostStats>;
  failedHosts: string[];
  unreachableHosts: string[];
  /** Set when the run stopped on a playbook error (undefined variable, bad module arguments). */
  inputError: RunContext['inputError'];
  interrupted: boolean;
}

/** Run every play of the playbook; events go to `emit`. Transports are closed before returning. */
export async function runPlaybook(
  opts: RunOptions,
  registry: ModuleRegistry,
  emit: (e: RunEvent) => void,
): Promise<RunSummary> {
  const started = Date.now();
  const inv = opts.inventory;
  const groups: Record<string, string[]> = {};
  for (const g of inv.groups.keys()) groups[g] = groupHosts(inv, g);
  const run = new RunContext(opts, registry, emit, groups);
  emit({ kind: 'run-start', playbook: opts.playbook.file, check: opts.check, diff: opts.diff });
  try {
    for (const [i, play] of opts.playbook.plays.entries()) {
      // Interrupted during the previous play: do not announce one that will not run.
      if (opts.signal?.aborted) run.interrupt();
      if (run.aborted) break;
      await new PlayRunner(run, play, i).runPlay();
      if (run.aborted) break;
    }
  } finally {
    await opts.transports.closeAll();
  }
  const stats = Object.fromEntries(run.stats);
  const failedHosts = [...run.failed].filter((h) => (run.stats.get(h)?.failures ?? 0) > 0);
  const unreachableHosts = [...run.unreachable];
  let failedHostsFile: string | undefined;
  const retry = [...new Set([...failedHosts, ...unreachableHosts])];
  if (opts.retryFile && retry.length > 0 && !opts.check && !run.inputError) {
    mkdirSync(dirname(opts.retryFile), { recursive: true });
    writeFileSync(opts.retryFile, `${retry.join('\n')}\n`);
    failedHostsFile = opts.retryFile;
  }
  emit({
    kind: 'run-end',
    stats,
    durationMs: Date.now() - started,
    ...(failedHostsFile ? { failedHostsFile } : {}),
  });
  return { stats, failedHosts, unreachableHosts, inputError: run.inputError, interrupted: run.interrupted };
}
