/** Pieces shared by the OVN modules: reading an OVSDB through its ctl, checking files on the host. */
import { fail } from '../builtin/support/failure.js';
import type { PlanContext } from '../types.js';
import {
  type CtlProgram,
  type CtlTarget,
  ctlCommand,
  DEFAULT_DB,
  failureDetail,
  parseJsonTables,
  type Row,
} from './ovsdb.js';

export const DEFAULT_TIMEOUT = 30;

/** Templates render numbers as text (as Ansible does), so numeric arguments accept both. */
export function toCount(v: number | string | undefined | null, what: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : Number(v.trim());
  if (!Number.isInteger(n) || n < 0) fail(`${what} must be a whole number, got ${JSON.stringify(v)}`);
  return n;
}

export function ctlTarget(
  program: CtlProgram,
  db: string | undefined,
  timeout: number | string | undefined,
): CtlTarget {
  const seconds = toCount(timeout, 'timeout', DEFAULT_TIMEOUT);
  return {
    program,
    db: db && db !== '' ? db : DEFAULT_DB[program],
    timeout: seconds > 0 ? seconds : DEFAULT_TIMEOUT,
  };
}

/** Runs read-only list commands on the target and returns their tables; a failure fails the task. */
export async function readTables(
  ctx: PlanContext,
  t: CtlTarget,
  commands: readonly (readonly string[])[],
  what: string,
): Promise<Row[][]> {
  const r = await ctx.target.query(ctlCommand(t, commands, { json: true }), {
    timeoutMs: (t.timeout + 5) * 1000,
  });
  if (r.rc !== 0) fail(`cannot read ${what} through ${t.program} --db=${t.db} (${failureDetail(r)})`);
  try {
    return parseJsonTables(r.stdout, commands.length, `${t.program} output`);
  } catch (e) {
    return fail(`cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Files a daemon is about to be pointed at must exist: a TLS listener whose key is missing stops
 * accepting connections. In check mode an earlier task may only have planned them: a warning then.
 */
export async function checkFiles(
  ctx: PlanContext,
  files: readonly { label: string; path: string }[],
  warnings: string[],
): Promise<void> {
  for (const f of files) {
    if (!f.path.startsWith('/')) fail(`${f.label} must be an absolute path, got "${f.path}"`);
  }
  const stats = await Promise.all(files.map((f) => ctx.target.stat(f.path)));
  const missing = files.filter((_, i) => stats[i]?.type !== 'file');
  if (missing.length === 0) return;
  const text = missing.map((f) => `${f.label} ${f.path}`).join(', ');
  if (ctx.check) warnings.push(`${text} not present yet (an earlier task would install it)`);
  else fail(`${text} does not exist on ${ctx.host}: install the certificates first`);
}

/** Steps' reasons say "would ..." in check mode, like the other modules. */
export function because(ctx: PlanContext, text: string): string {
  return ctx.check ? `would ${text}` : text;
}
