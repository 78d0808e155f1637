import { basename, resolve } from 'node:path';
import { runPlaybook } from '../engine/run.js';
import { TransportFactory } from '../engine/transports.js';
import { OvnctlError } from '../errors.js';
import { matchPattern } from '../inventory/patterns.js';
import { regenOverrides, SecurityObserver } from '../lifecycle/security-observer.js';
import { defaultRegistry } from '../modules/index.js';
import { PlaybookLoader } from '../playbook/load.js';
import type { Playbook, Task } from '../playbook/model.js';
import { commaList, count, parseCommandArgs, RUN_OPTIONS, str } from './args.js';
import { EXIT } from './exit-codes.js';
import { FileHandlerLedger } from './handler-ledger-file.js';
import { RUN_HELP } from './help.js';
import type { CliIo } from './io.js';
import { acquireConfigLock } from './lock.js';
import { BUNDLED_PLAYBOOKS, resolvePlaybook } from './paths.js';
import { preflight } from './preflight.js';
import { chooseReporter } from './reporter.js';
import { loadCommon, openSecurityLog, resolveLimit } from './setup.js';
import { sshFactory } from './ssh.js';

function taskNames(tasks: readonly Task[], indent: string, out: string[]): void {
  for (const t of tasks) {
    if (t.kind === 'block') {
      taskNames([...t.block, ...t.rescue, ...t.always], indent, out);
    } else if (t.kind === 'module') {
      out.push(`${indent}${t.name ?? t.module}${t.tags.length ? `\tTAGS: [${t.tags.join(', ')}]` : ''}`);
    }
  }
}

function listing(
  playbook: Playbook,
  what: 'hosts' | 'tasks' | 'tags',
  hostsOf: (pattern: string) => string[],
): string {
  const out = [`playbook: ${playbook.file}`];
  playbook.plays.forEach((play, i) => {
    out.push('', `  play #${i + 1} (${play.hosts}): ${play.name}`);
    if (what === 'hosts') {
      const hosts = hostsOf(play.hosts);
      out.push(
        `    pattern: ['${play.hosts}']`,
        `    hosts (${hosts.length}):`,
        ...hosts.map((h) => `      ${h}`),
      );
    } else if (what === 'tasks') {
      out.push('    tasks:');
      taskNames([...play.preTasks, ...play.tasks, ...play.postTasks], '      ', out);
    } else {
      const tags = new Set<string>(play.tags);
      const walk = (ts: readonly Task[]): void => {
        for (const t of ts) {
          for (const tag of t.tags) tags.add(tag);
          if (t.kind === 'block') walk([...t.block, ...t.rescue, ...t.always]);
        }
      };
      walk([...play.preTasks, ...play.tasks, ...play.postTasks]);
      out.push(`      TASK TAGS: [${[...tags].sort().join(', ')}]`);
    }
  });
  return `${out.join('\n')}\n`;
}

export async function runCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, RUN_OPTIONS, 'run');
  if (values.help) {
    io.stdout(RUN_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1)
    throw new OvnctlError('usage', 'ovnctl run takes exactly one playbook', {
      hint: 'ovnctl run certificate-authority.yml',
    });
  const forks = Number(str(values.forks) ?? io.env.ANSIBLE_FORKS ?? 50);
  if (!Number.isInteger(forks) || forks < 1)
    throw new OvnctlError('usage', '--forks must be a positive whole number');
  const loaded = await loadCommon(values, io.env, io.cwd);
  const registry = defaultRegistry();
  const playbookFile = resolvePlaybook(positionals[0] as string, io.cwd);
  const loader = new PlaybookLoader({
    resolveModule: (n) => registry.resolve(n),
    rolesPath: [resolve(BUNDLED_PLAYBOOKS, 'roles'), ...(io.env.ANSIBLE_ROLES_PATH?.split(':') ?? [])],
    ...(loaded.vault ? { vault: loaded.vault } : {}),
  });
  const playbook = loader.load(playbookFile);
  preflight(playbook, registry);
  if (values['syntax-check']) {
    io.stdout(`\nplaybook: ${playbook.file}\n`);
    return EXIT.ok;
  }
  const limit = resolveLimit(loaded.inventory, str(values.limit), io.cwd);
  const hostsOf = (pattern: string): string[] =>
    matchPattern(loaded.inventory, pattern).filter((h) => !limit || limit.has(h));
  for (const what of ['hosts', 'tasks', 'tags'] as const) {
    if (values[`list-${what}`]) {
      io.stdout(listing(playbook, what, hostsOf));
      return EXIT.ok;
    }
  }
  const verbosity = count(values.verbose);
  const vault = loaded.vault;
  const decryptVault = vault ? (text: string) => vault.decrypt(text) : undefined;
  const reporter = await chooseReporter(
    str(values.output),
    { write: io.stdout, isTTY: io.isTTY },
    io.env,
    verbosity,
  );
  // The security event log watches the event stream; the engine does not know about it.
  const security = openSecurityLog(loaded, io, verbosity > 0);
  // A check run changes nothing, not even the log.
  const observer = values.check ? undefined : new SecurityObserver(security, { command: 'run' });
  if (observer) for (const e of regenOverrides(loaded.extraVars, 'run')) security.write(e);
  const release = values.check ? () => {} : acquireConfigLock(loaded.configDir);
  const playbookName = basename(playbookFile).replace(/\.ya?ml$/, '');
  // Handlers owed from a run whose reload failed are notified again (not in check mode).
  const ledger = values.check
    ? undefined
    : new FileHandlerLedger(resolve(loaded.configDir, '.ovnctl', 'handlers', `${playbookName}.json`));
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    // First signal: finish the steps in flight, start nothing new. Second: leave now.
    if (++signals > 1) process.exit(EXIT.interrupted);
    io.stderr(`\n${sig}: stopping after the steps in flight (send again to stop at once)\n`);
    abort.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: Awaited<ReturnType<typeof runPlaybook>>;
  try {
    summary = await runPlaybook(
      {
        playbook,
        inventory: loaded.inventory,
        extraVars: loaded.extraVars,
        limit,
        tags: commaList(values.tags),
        skipTags: commaList(values['skip-tags']),
        check: values.check === true,
        diff: values.diff === true,
        forks,
        verbosity,
        configDir: loaded.configDir,
        secrets: loaded.secrets,
        decryptVault,
        transports: new TransportFactory(sshFactory(values, io.env, loaded.configDir), decryptVault),
        now: () => new Date(),
        signal: abort.signal,
        retryFile: resolve(loaded.configDir, '.ovnctl', 'retry', `${playbookName}.retry`),
        ...(ledger ? { handlerLedger: ledger } : {}),
      },
      registry,
      (e) => {
        observer?.onEvent(e);
        reporter.onEvent(e);
      },
    );
    observer?.settle(summary.inputError !== undefined);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ledger?.save();
    release();
  }
  await reporter.close();
  if (summary.interrupted) return EXIT.interrupted;
  if (summary.inputError) throw summary.inputError;
  if (summary.unreachableHosts.length > 0) return EXIT.unreachable;
  if (summary.failedHosts.length > 0) return EXIT.hostFailed;
  return EXIT.ok;
}
