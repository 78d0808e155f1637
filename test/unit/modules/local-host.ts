import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { Facts, PlanContext, Step } from '../../../src/modules/types.js';
import type { ExecResult, FileStat } from '../../../src/transport/types.js';

function fileType(path: string): FileStat['type'] | null {
  try {
    const st = statSync(path);
    return st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
  } catch {
    return null;
  }
}

function idFromDatabase(file: string, name: string): number | null {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [entry, , id] = line.split(':');
    if (entry === name && id !== undefined) return Number(id);
  }
  return null;
}

/** Facts about this machine's real filesystem (tests point it at a temp dir). */
export class LocalFacts implements Facts {
  readonly host = 'localhost';

  async stat(path: string): Promise<FileStat | null> {
    const type = fileType(path);
    if (!type) return null;
    const st = statSync(path);
    return { type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtimeMs: st.mtimeMs };
  }

  async read(path: string): Promise<Buffer | null> {
    return fileType(path) === 'file' ? readFileSync(path) : null;
  }

  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const p of paths) {
      const data = await this.read(p);
      out.set(p, data && createHash('sha256').update(data).digest('hex'));
    }
    return out;
  }

  async query(command: string): Promise<ExecResult> {
    const r = spawnSync('/bin/sh', ['-c', command], { encoding: 'utf8', timeout: 30_000 });
    return { rc: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
  }

  async lookupId(kind: 'user' | 'group', name: string): Promise<number | null> {
    if (/^\d+$/.test(name)) return Number(name);
    return idFromDatabase(kind === 'user' ? '/etc/passwd' : '/etc/group', name);
  }
}

function owner(facts: LocalFacts, step: { owner?: string; group?: string }, path: string): Promise<void> {
  return (async () => {
    if (step.owner === undefined && step.group === undefined) return;
    const uid = step.owner === undefined ? -1 : ((await facts.lookupId('user', step.owner)) ?? -1);
    const gid = step.group === undefined ? -1 : ((await facts.lookupId('group', step.group)) ?? -1);
    chownSync(path, uid, gid);
  })();
}

/** A minimal stand-in for the engine: applies steps in order and stops at a failing exec. */
export async function applyLocally(steps: readonly Step[]): Promise<{ failed?: string }> {
  const facts = new LocalFacts();
  for (const step of steps) {
    switch (step.kind) {
      case 'write': {
        const temp = `${step.path}.apply-tmp`;
        writeFileSync(temp, step.content, { mode: step.mode });
        chmodSync(temp, step.mode);
        await owner(facts, step, temp);
        renameSync(temp, step.path);
        break;
      }
      case 'mkdir':
        mkdirSync(step.path, { recursive: true });
        chmodSync(step.path, step.mode);
        await owner(facts, step, step.path);
        break;
      case 'attributes':
        if (step.mode !== undefined) chmodSync(step.path, step.mode);
        await owner(facts, step, step.path);
        break;
      case 'remove':
        rmSync(step.path, { recursive: true, force: true });
        break;
      case 'exec':
        try {
          execFileSync('/bin/sh', ['-c', step.command], {
            input: step.stdin ?? '',
            stdio: 'pipe',
            timeout: 30_000,
          });
        } catch {
          return { failed: step.why };
        }
        break;
    }
  }
  return {};
}

export function localContext(vars: Record<string, unknown> = {}): PlanContext {
  const facts = new LocalFacts();
  return {
    host: 'localhost',
    target: facts,
    controller: facts,
    vars: { inventory_hostname: 'localhost', ...vars },
    check: false,
    now: () => new Date(),
    configDir: '/nonexistent',
    secret: () => {},
  };
}
