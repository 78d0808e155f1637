/**
 * Talking to OVSDB through its ctl programs (ovn-nbctl, ovn-sbctl, ovs-vsctl): building
 * command lines, quoting values in OVSDB's syntax, and reading `--format=json` output.
 */
import { shellQuote } from '../builtin/support/shell.js';

export type CtlProgram = 'ovn-nbctl' | 'ovn-sbctl' | 'ovs-vsctl';

export interface CtlTarget {
  program: CtlProgram;
  /** The ctl's `--db` (e.g. `unix:/var/run/ovn/ovnsb_db.sock`). */
  db: string;
  /** Seconds before the ctl gives up (it otherwise waits forever for an unreachable database). */
  timeout: number;
}

/** A decoded OVSDB value: atoms as they are, sets as arrays, maps as records, uuids as strings. */
export type Decoded = string | number | boolean | Decoded[] | { [key: string]: Decoded };

export type Row = Record<string, Decoded>;

/** The default local sockets of Debian's packages. */
export const DEFAULT_DB: Record<CtlProgram, string> = {
  'ovn-nbctl': 'unix:/var/run/ovn/ovnnb_db.sock',
  'ovn-sbctl': 'unix:/var/run/ovn/ovnsb_db.sock',
  'ovs-vsctl': 'unix:/var/run/openvswitch/db.sock',
};

/**
 * One ctl invocation running `commands` in one transaction. OVN ctls get `--no-leader-only` so
 * that a clustered follower's local socket works (followers forward writes to the leader);
 * ovs-vsctl gets `--no-wait` when writing, so a stopped ovs-vswitchd does not stall the run.
 */
export function ctlCommand(
  t: CtlTarget,
  commands: readonly (readonly string[])[],
  opts: { json?: boolean; write?: boolean } = {},
): string {
  const words = [t.program, `--db=${t.db}`, `--timeout=${t.timeout}`];
  if (t.program !== 'ovs-vsctl') words.push('--no-leader-only');
  else if (opts.write) words.push('--no-wait');
  if (opts.json) words.push('--format=json');
  const parts = [words.map(shellQuote).join(' ')];
  for (const c of commands) parts.push(['--', ...c].map(shellQuote).join(' '));
  return parts.join(' ');
}

/** A string in OVSDB's quoted syntax (a C/JSON string literal), safe for any content. */
export function ovsdbString(s: string): string {
  return JSON.stringify(s);
}

/** A scalar for `set TABLE REC column=value`: booleans and integers bare, strings quoted. */
export function ovsdbScalar(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return ovsdbString(v);
}

/** `column:"key"="value"` for a string-to-string map column. */
export function mapAssignment(column: string, key: string, value: string): string {
  return `${column}:${ovsdbString(key)}=${ovsdbString(value)}`;
}

function decode(v: unknown): Decoded {
  if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string') {
    const [tag, body] = v as [string, unknown];
    if (tag === 'set' && Array.isArray(body)) return body.map(decode);
    if (tag === 'map' && Array.isArray(body)) {
      const out: Record<string, Decoded> = {};
      for (const pair of body) {
        if (Array.isArray(pair) && pair.length === 2) out[String(decode(pair[0]))] = decode(pair[1]);
      }
      return out;
    }
    if (tag === 'uuid' || tag === 'named-uuid') return String(body);
  }
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * The tables printed by a `--format=json` invocation of `count` list commands: one JSON
 * document per line. Throws with `what` in the message when the output is not that.
 */
export function parseJsonTables(stdout: string, count: number, what: string): Row[][] {
  const docs = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('{'));
  if (docs.length !== count) throw new Error(`${what}: expected ${count} JSON table(s), got ${docs.length}`);
  return docs.map((text) => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`${what}: output is not JSON`);
    }
    const { headings, data } = (doc ?? {}) as { headings?: unknown; data?: unknown };
    if (!Array.isArray(headings) || !Array.isArray(data))
      throw new Error(`${what}: output has no headings/data`);
    return data.map((row) => {
      const out: Row = {};
      (row as unknown[]).forEach((cell, i) => {
        out[String(headings[i])] = decode(cell);
      });
      return out;
    });
  });
}

/** An optional column (a set of zero or one atoms) as its atom, or null. */
export function optional(v: Decoded | undefined): string | number | boolean | null {
  if (v === undefined) return null;
  if (Array.isArray(v)) {
    const first = v[0];
    return first === undefined || typeof first === 'object' ? null : first;
  }
  return typeof v === 'object' ? null : v;
}

/** A map column as string values (an absent column reads as empty). */
export function stringMap(v: Decoded | undefined): Record<string, string> {
  if (v === undefined || Array.isArray(v) || typeof v !== 'object') return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** The text Ansible users write for booleans ("yes", "True") as OVSDB's map strings. */
export function mapText(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** The last lines of a failed command's output, short enough for a task message. */
export function failureDetail(r: { rc: number; stdout: string; stderr: string }): string {
  const text = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
  return text ? `exit ${r.rc}: ${text}` : `exit ${r.rc}`;
}
