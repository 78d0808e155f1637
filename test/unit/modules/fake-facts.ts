import { createHash } from 'node:crypto';
import type { Facts } from '../../../src/modules/types.js';
import type { ExecResult, FileStat } from '../../../src/transport/types.js';

/** A path as a case scripts it; `null` in the map means "does not exist". */
export interface ScriptedFile {
  type?: FileStat['type'];
  content?: string;
  /** Octal text, e.g. "0644". */
  mode?: string;
  uid?: number;
  gid?: number;
  size?: number;
}

export interface ScriptedHost {
  files?: Record<string, ScriptedFile | null>;
  /** name -> id; null scripts an unknown name. */
  users?: Record<string, number | null>;
  groups?: Record<string, number | null>;
  queries?: Record<string, Partial<ExecResult>>;
}

/** Thrown when a module asks about something the case did not script: the case must say. */
export class UnscriptedFact extends Error {
  override readonly name = 'UnscriptedFact';
}

/** Facts answered only from a case's script (pyinfra-style): nothing is guessed. */
export class FakeFacts implements Facts {
  readonly asked: string[] = [];

  constructor(
    readonly host: string,
    private readonly script: ScriptedHost,
  ) {}

  private file(path: string, fact: string): ScriptedFile | null {
    this.asked.push(`${fact} ${path}`);
    const files = this.script.files ?? {};
    if (!Object.hasOwn(files, path))
      throw new UnscriptedFact(`${this.host}: ${fact}(${path}) was not scripted`);
    return files[path] ?? null;
  }

  private content(path: string, fact: string): Buffer | null {
    const f = this.file(path, fact);
    if (!f) return null;
    if (f.content === undefined)
      throw new UnscriptedFact(`${this.host}: ${fact}(${path}) needs a scripted content`);
    return Buffer.from(f.content, 'utf8');
  }

  async stat(path: string): Promise<FileStat | null> {
    const f = this.file(path, 'stat');
    if (!f) return null;
    const type = f.type ?? 'file';
    return {
      type,
      mode: Number.parseInt(f.mode ?? (type === 'directory' ? '0755' : '0644'), 8),
      uid: f.uid ?? 0,
      gid: f.gid ?? 0,
      size: f.size ?? (f.content === undefined ? 4096 : Buffer.byteLength(f.content)),
      mtimeMs: 1_700_000_000_000,
    };
  }

  async read(path: string): Promise<Buffer | null> {
    return this.content(path, 'read');
  }

  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const p of paths) {
      const data = this.content(p, 'sha256');
      out.set(p, data === null ? null : createHash('sha256').update(data).digest('hex'));
    }
    return out;
  }

  async query(command: string): Promise<ExecResult> {
    this.asked.push(`query ${command}`);
    const q = this.script.queries?.[command];
    if (!q) throw new UnscriptedFact(`${this.host}: query(${command}) was not scripted`);
    return { rc: q.rc ?? 0, stdout: q.stdout ?? '', stderr: q.stderr ?? '' };
  }

  async lookupId(kind: 'user' | 'group', name: string): Promise<number | null> {
    this.asked.push(`lookupId ${kind} ${name}`);
    if (/^\d+$/.test(name)) return Number(name);
    const table = (kind === 'user' ? this.script.users : this.script.groups) ?? {};
    if (!Object.hasOwn(table, name))
      throw new UnscriptedFact(`${this.host}: lookupId(${kind}, ${name}) was not scripted`);
    return table[name] ?? null;
  }
}
