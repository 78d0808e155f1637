import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { OvnctlError } from '../../src/errors.js';
import type {
  DirOptions,
  ExecOptions,
  ExecResult,
  FileStat,
  Transport,
  WriteOptions,
} from '../../src/transport/types.js';

export interface FakeFile {
  content: Buffer | null; // null: a directory
  mode: number;
  uid: number;
  gid: number;
}

/** An in-memory host: files, users, and a scripted shell. Records every call. */
export class FakeTransport implements Transport {
  readonly kind = 'fake';
  readonly files = new Map<string, FakeFile>([['/', { content: null, mode: 0o755, uid: 0, gid: 0 }]]);
  readonly calls: string[] = [];
  readonly users = new Map<string, number>([
    ['root', 0],
    ['haproxy', 110],
    ['rabbitmq', 120],
  ]);
  unreachable = false;
  /** Answers for exec: the first matching entry wins; default rc 0 with empty output. */
  readonly script: { match: RegExp; result: ExecResult }[] = [];

  constructor(readonly host: string) {}

  async connect(): Promise<void> {
    if (this.unreachable) throw new OvnctlError('unreachable', `${this.host}: connection refused`);
  }

  async exec(command: string, options?: ExecOptions): Promise<ExecResult> {
    const env = options?.env
      ? Object.entries(options.env)
          .map(([k, v]) => `${k}=${v} `)
          .join('')
      : '';
    this.calls.push(
      options?.becomeUser ? `exec(${options.becomeUser}) ${env}${command}` : `exec ${env}${command}`,
    );
    return this.script.find((s) => s.match.test(command))?.result ?? { rc: 0, stdout: '', stderr: '' };
  }

  async readFile(path: string): Promise<Buffer | null> {
    return this.files.get(path)?.content ?? null;
  }

  async stat(path: string): Promise<FileStat | null> {
    const f = this.files.get(path);
    if (!f) return null;
    return {
      type: f.content === null ? 'directory' : 'file',
      mode: f.mode,
      uid: f.uid,
      gid: f.gid,
      size: f.content?.length ?? 0,
      mtimeMs: 0,
    };
  }

  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    return new Map(
      paths.map((p) => {
        const c = this.files.get(p)?.content;
        return [p, c ? createHash('sha256').update(c).digest('hex') : null];
      }),
    );
  }

  private ids(o: Partial<WriteOptions>, old?: FakeFile): { uid: number; gid: number } {
    return {
      uid: o.owner !== undefined ? (this.users.get(o.owner) ?? 0) : (old?.uid ?? 0),
      gid: o.group !== undefined ? (this.users.get(o.group) ?? 0) : (old?.gid ?? 0),
    };
  }

  async writeFileAtomic(path: string, data: Buffer, options: WriteOptions): Promise<void> {
    this.calls.push(`write ${path}`);
    if (!this.files.has(dirname(path)))
      throw new OvnctlError('task-failed', `${this.host}: cannot write ${path}: ENOENT`);
    this.files.set(path, { content: Buffer.from(data), mode: options.mode, ...this.ids(options) });
  }

  async mkdir(path: string, options: DirOptions): Promise<void> {
    this.calls.push(`mkdir ${path}`);
    let p = path;
    const chain: string[] = [];
    while (!this.files.has(p)) {
      chain.push(p);
      p = dirname(p);
    }
    for (const d of chain.reverse())
      this.files.set(d, { content: null, mode: options.mode, ...this.ids(options) });
    const f = this.files.get(path);
    if (f) Object.assign(f, { mode: options.mode, ...this.ids(options, f) });
  }

  async setAttributes(path: string, attrs: Partial<WriteOptions>): Promise<void> {
    this.calls.push(`attributes ${path}`);
    const f = this.files.get(path);
    if (!f) throw new OvnctlError('task-failed', `${path} does not exist`);
    if (attrs.mode !== undefined) f.mode = attrs.mode;
    Object.assign(f, this.ids(attrs, f));
  }

  async remove(path: string): Promise<void> {
    this.calls.push(`remove ${path}`);
    for (const k of [...this.files.keys()]) if (k === path || k.startsWith(`${path}/`)) this.files.delete(k);
  }

  async lookupId(_kind: 'user' | 'group', name: string): Promise<number | null> {
    return /^\d+$/.test(name) ? Number(name) : (this.users.get(name) ?? null);
  }

  async close(): Promise<void> {}

  writes(): string[] {
    return this.calls.filter(
      (c) =>
        c.startsWith('write ') ||
        c.startsWith('mkdir ') ||
        c.startsWith('attributes ') ||
        c.startsWith('remove '),
    );
  }
}
