import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/ovnctl.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the built `ovnctl` binary (npm test builds dist/ first). */
export function ovnctl(
  args: readonly string[],
  opts: { cwd: string; env?: Record<string, string> },
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, CI: 'true', NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The JSON document of `--output json`. */
export function jsonOf(r: CliResult): {
  stats: Record<string, Record<string, number>>;
  plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[];
} {
  try {
    return JSON.parse(r.stdout);
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}
