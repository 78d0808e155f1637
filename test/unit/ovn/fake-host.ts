import type { Facts, PlanContext } from '../../../src/modules/types.js';
import type { ExecResult, FileStat } from '../../../src/transport/types.js';

export interface FakeHostScript {
  /** Paths that exist, with content (files) or null content (directories). */
  files?: Record<string, { content?: string; mode?: number }>;
  /** Answers read-only queries; returning undefined fails the test (the module asked something unexpected). */
  answer?: (command: string) => Partial<ExecResult> | undefined;
}

/** A host answered from a script; every query is recorded so tests can assert what was asked. */
export class FakeHost implements Facts {
  readonly queries: string[] = [];
  constructor(
    readonly host: string,
    private readonly script: FakeHostScript,
  ) {}

  async stat(path: string): Promise<FileStat | null> {
    const f = this.script.files?.[path];
    if (!f) return null;
    return {
      type: f.content === undefined ? 'directory' : 'file',
      mode: f.mode ?? 0o644,
      uid: 0,
      gid: 0,
      size: f.content?.length ?? 0,
      mtimeMs: 0,
    };
  }

  async read(path: string): Promise<Buffer | null> {
    const c = this.script.files?.[path]?.content;
    return c === undefined ? null : Buffer.from(c);
  }

  async sha256(): Promise<Map<string, string | null>> {
    throw new Error('sha256 not expected');
  }

  async query(command: string): Promise<ExecResult> {
    this.queries.push(command);
    const r = this.script.answer?.(command);
    if (!r) throw new Error(`unexpected query: ${command}`);
    return { rc: r.rc ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  async lookupId(): Promise<number | null> {
    return 0;
  }
}

export function planContext(target: FakeHost, check = false): PlanContext {
  return {
    host: target.host,
    target,
    controller: target,
    vars: {},
    check,
    now: () => new Date('2026-01-01T00:00:00Z'),
    configDir: '/tmp',
    secret: () => {},
  };
}

/** `--format=json` output of one list command. */
export function jsonTable(headings: string[], rows: unknown[][]): string {
  return JSON.stringify({ data: rows, headings });
}
