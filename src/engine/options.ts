import type { Layer } from '../config/layers.js';
import type { Inventory } from '../inventory/model.js';
import type { Playbook } from '../playbook/model.js';
import type { SecretRegistry } from '../report/redact.js';
import type { HandlerLedger } from './handler-ledger.js';
import type { TransportFactory } from './transports.js';

/** Everything a run needs, already loaded and validated by the CLI layer. */
export interface RunOptions {
  playbook: Playbook;
  inventory: Inventory;
  /** user_*.yml files then `-e` arguments, lowest first. */
  extraVars: Layer[];
  /** Hosts allowed by --limit (undefined: no limit). */
  limit: Set<string> | undefined;
  tags: string[];
  skipTags: string[];
  check: boolean;
  diff: boolean;
  forks: number;
  verbosity: number;
  configDir: string;
  secrets: SecretRegistry;
  decryptVault: ((envelope: string) => string) | undefined;
  transports: TransportFactory;
  now: () => Date;
  /** Aborted on SIGINT/SIGTERM: no new task starts; running steps finish (writes are atomic). */
  signal?: AbortSignal;
  /** Handlers owed from earlier runs; undefined: none are remembered. */
  handlerLedger?: HandlerLedger;
  /** Where to write the failed-host list for `--limit @file`. */
  retryFile: string | undefined;
}
