import { join } from 'node:path';
import type { Layer } from '../../src/config/layers.js';
import type { HandlerLedger } from '../../src/engine/handler-ledger.js';
import { type RunSummary, runPlaybook } from '../../src/engine/run.js';
import { TransportFactory } from '../../src/engine/transports.js';
import { loadInventory } from '../../src/inventory/load.js';
import { defaultRegistry } from '../../src/modules/index.js';
import { PlaybookLoader } from '../../src/playbook/load.js';
import type { HostResultEvent, RunEvent } from '../../src/report/events.js';
import { SecretRegistry } from '../../src/report/redact.js';
import { FakeTransport } from './fake-transport.js';
import { makeTree } from './tmp.js';

export interface HarnessRun {
  summary: RunSummary;
  events: RunEvent[];
  hosts: Map<string, FakeTransport>;
  /** host-result events of the task named `name`. */
  results(name: string): HostResultEvent[];
  statusOf(name: string, host: string): string | undefined;
}

export interface HarnessOptions {
  check?: boolean;
  diff?: boolean;
  extraVars?: Record<string, unknown>;
  tags?: string[];
  skipTags?: string[];
  limit?: string[];
  /** Keep fake hosts between runs (to test idempotency). */
  hosts?: Map<string, FakeTransport>;
  files?: Record<string, string>;
  prepare?: (hosts: Map<string, FakeTransport>) => void;
  handlerLedger?: HandlerLedger;
}

/** Run a playbook (YAML text) against fake in-memory hosts. */
export async function runWithFakes(
  playbook: string,
  inventory: string,
  o: HarnessOptions = {},
): Promise<HarnessRun> {
  const tree = makeTree({ 'play.yml': playbook, 'inventory.yml': inventory, ...o.files });
  try {
    const registry = defaultRegistry();
    const inv = loadInventory([join(tree.dir, 'inventory.yml')], tree.dir);
    const pb = new PlaybookLoader({ resolveModule: (n) => registry.resolve(n), rolesPath: [] }).load(
      join(tree.dir, 'play.yml'),
    );
    const hosts = o.hosts ?? new Map<string, FakeTransport>();
    for (const h of inv.hosts.keys()) if (!hosts.has(h)) hosts.set(h, new FakeTransport(h));
    o.prepare?.(hosts);
    const events: RunEvent[] = [];
    const extra: Layer[] = o.extraVars
      ? [{ level: 'extra vars (-e)', source: { layer: '-e', file: '<test>', vars: o.extraVars } }]
      : [];
    const summary = await runPlaybook(
      {
        playbook: pb,
        inventory: inv,
        extraVars: extra,
        limit: o.limit ? new Set(o.limit) : undefined,
        tags: o.tags ?? [],
        skipTags: o.skipTags ?? [],
        check: o.check ?? false,
        diff: o.diff ?? false,
        forks: 10,
        verbosity: 0,
        configDir: tree.dir,
        secrets: new SecretRegistry(),
        decryptVault: undefined,
        transports: new TransportFactory((host) => hosts.get(host) as FakeTransport),
        now: () => new Date('2026-11-23T00:00:00Z'),
        retryFile: undefined,
        ...(o.handlerLedger ? { handlerLedger: o.handlerLedger } : {}),
      },
      registry,
      (e) => events.push(e),
    );
    const taskIds = (name: string): Set<number> =>
      new Set(events.flatMap((e) => (e.kind === 'task-start' && e.name === name ? [e.task] : [])));
    const results = (name: string): HostResultEvent[] => {
      const ids = taskIds(name);
      return events.filter((e): e is HostResultEvent => e.kind === 'host-result' && ids.has(e.task));
    };
    return {
      summary,
      events,
      hosts,
      results,
      statusOf: (name, host) => results(name).find((r) => r.host === host)?.status,
    };
  } finally {
    tree.cleanup();
  }
}

export const TWO_HOSTS = `
all:
  children:
    web:
      hosts:
        web1: {port: 8001}
        web2: {port: 8002}
`;
