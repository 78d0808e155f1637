/**
 * One `ovnctl certificates` command: the loaded configuration, and bundled playbooks run through
 * the engine one after the other (the same loader, preflight, transports and signal handling as
 * `ovnctl run`). Every run feeds the security event log; with -v its progress goes to stderr.
 */
import { basename, resolve } from 'node:path';
import { count, type ParsedArgs, str } from '../cli/args.js';
import type { CliIo } from '../cli/io.js';
import { BUNDLED_PLAYBOOKS, resolvePlaybook } from '../cli/paths.js';
import { preflight } from '../cli/preflight.js';
import type { Loaded } from '../cli/setup.js';
import { sshFactory } from '../cli/ssh.js';
import { layer } from '../config/layers.js';
import { type RunSummary, runPlaybook } from '../engine/run.js';
import { TransportFactory } from '../engine/transports.js';
import { OvnctlError } from '../errors.js';
import { defaultRegistry } from '../modules/index.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { PlaybookLoader } from '../playbook/load.js';
import type { HostResultEvent, RunEvent } from '../report/events.js';
import { PlainReporter } from '../report/plain.js';
import type { SecurityLog } from './security-log.js';
import { SecurityObserver } from './security-observer.js';

export interface RunRequest {
  playbook: string;
  /** Extra variables of the command itself, above user_*.yml and -e. */
  extra?: Record<string, unknown>;
  limit?: ReadonlySet<string> | undefined;
  /** Every issue in this run is an automatic renewal (security log). */
  renewal?: boolean;
}

export interface RunOutcome {
  playbook: string;
  summary: RunSummary;
  results: HostResultEvent[];
  /** `host: task: message` for every failed or unreachable result. */
  failures: string[];
}

export class Session {
  readonly registry: ModuleRegistry = defaultRegistry();
  readonly verbosity: number;
  private readonly abort = new AbortController();

  constructor(
    readonly loaded: Loaded,
    readonly values: ParsedArgs['values'],
    readonly io: CliIo,
    readonly security: SecurityLog,
    readonly command: string,
  ) {
    this.verbosity = count(values.verbose);
  }

  get interrupted(): boolean {
    return this.abort.signal.aborted;
  }

  async run(req: RunRequest): Promise<RunOutcome> {
    if (this.interrupted) throw new OvnctlError('interrupted', 'interrupted');
    const { loaded, io } = this;
    const loader = new PlaybookLoader({
      resolveModule: (n) => this.registry.resolve(n),
      rolesPath: [resolve(BUNDLED_PLAYBOOKS, 'roles'), ...(io.env.ANSIBLE_ROLES_PATH?.split(':') ?? [])],
      ...(loaded.vault ? { vault: loaded.vault } : {}),
    });
    const file = resolvePlaybook(req.playbook, io.cwd);
    const playbook = loader.load(file);
    preflight(playbook, this.registry);
    const vault = loaded.vault;
    const decryptVault = vault ? (text: string) => vault.decrypt(text) : undefined;
    const observer = new SecurityObserver(this.security, {
      command: this.command,
      ...(req.renewal ? { renewal: true } : {}),
    });
    const reporter =
      this.verbosity > 0
        ? new PlainReporter({ write: io.stderr, verbosity: this.verbosity - 1, color: false })
        : undefined;
    const results: HostResultEvent[] = [];
    const taskNames = new Map<number, string>();
    const emit = (e: RunEvent): void => {
      observer.onEvent(e);
      reporter?.onEvent(e);
      if (e.kind === 'task-start') taskNames.set(e.task, e.name);
      if (e.kind === 'host-result') results.push(e);
    };
    const onSignal = (sig: NodeJS.Signals): void => {
      if (this.abort.signal.aborted) process.exit(99);
      io.stderr(`\n${sig}: stopping after the steps in flight (send again to stop at once)\n`);
      this.abort.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let summary: RunSummary;
    try {
      summary = await runPlaybook(
        {
          playbook,
          inventory: loaded.inventory,
          extraVars: [
            ...loaded.extraVars,
            ...(req.extra ? [layer('extra vars (ovnctl certificates)', req.extra, `<${this.command}>`)] : []),
          ],
          limit: req.limit ? new Set(req.limit) : undefined,
          tags: [],
          skipTags: [],
          check: false,
          diff: false,
          forks: Number(str(this.values.forks) ?? io.env.ANSIBLE_FORKS ?? 50),
          verbosity: this.verbosity,
          configDir: loaded.configDir,
          secrets: loaded.secrets,
          decryptVault,
          transports: new TransportFactory(sshFactory(this.values, io.env, loaded.configDir), decryptVault),
          now: () => new Date(),
          signal: this.abort.signal,
          retryFile: resolve(
            loaded.configDir,
            '.ovnctl',
            'retry',
            `${basename(file).replace(/\.ya?ml$/, '')}.retry`,
          ),
        },
        this.registry,
        emit,
      );
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    observer.settle(summary.inputError !== undefined);
    await reporter?.close();
    if (summary.inputError) throw summary.inputError;
    if (summary.interrupted) throw new OvnctlError('interrupted', `interrupted during ${basename(file)}`);
    const failures = results
      .filter((r) => (r.status === 'failed' && !r.ignored) || r.status === 'unreachable')
      .map((r) => `${r.host}: ${taskNames.get(r.task) ?? 'task'}: ${r.msg ?? r.status}`);
    return { playbook: basename(file), summary, results, failures };
  }
}
