import { type ChildProcess, spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A running `ovnctl`: its output so far, signals, and its (bounded) end. */
export interface CliProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves once `test` matches stdout+stderr; rejects after timeoutMs or if the process ends first. */
  waitForOutput(test: RegExp, timeoutMs: number): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  /** Resolves with the exit status; SIGKILLs the process after timeoutMs and rejects. */
  exited(timeoutMs: number): Promise<Exit>;
  /** SIGKILL if still running (teardown). */
  kill(): void;
}

/** Starts the built `ovnctl` (bin/ovnctl.js) without waiting for it. */
export function startOvnctl(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string> },
): CliProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('ovnctl did not start');
  let out = '';
  let err = '';
  let exit: Exit | undefined;
  const waiters = new Set<() => void>();
  const poke = (): void => {
    for (const w of [...waiters]) w();
  };
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    poke();
  });
  child.stderr?.on('data', (d: Buffer) => {
    err += d.toString('utf8');
    poke();
  });
  const ended = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => {
      exit = { code, signal };
      poke();
      resolve(exit);
    });
  });
  const pid = child.pid;
  return {
    pid,
    stdout: () => out,
    stderr: () => err,
    waitForOutput: (test, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (test.test(out + err)) finish();
          else if (exit)
            finish(new Error(`ovnctl exited (${exit.code}) before printing ${test}:\n${out}\n${err}`));
        };
        const timer = setTimeout(
          () => finish(new Error(`no ${test} within ${timeoutMs} ms:\n${out}\n${err}`)),
          timeoutMs,
        );
        const finish = (e?: Error): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (e) reject(e);
          else resolve();
        };
        waiters.add(check);
        check();
      }),
    signal: (sig) => {
      if (!exit) process.kill(pid, sig);
    },
    exited: async (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`ovnctl did not exit within ${timeoutMs} ms:\n${out}\n${err}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([ended, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    kill: () => {
      if (!exit) child.kill('SIGKILL');
    },
  };
}

/** Runs `ovnctl` to its end without blocking this process's event loop (servers in the test keep serving). */
export async function runOvnctl(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string> },
  timeoutMs = 120_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const p = startOvnctl(args, opts);
  const exit = await p.exited(timeoutMs);
  return { code: exit.code ?? -1, stdout: p.stdout(), stderr: p.stderr() };
}
