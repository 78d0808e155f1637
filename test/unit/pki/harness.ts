/** A Facts implementation over the real file system and a step applier, for planning PKI modules in tests. */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Facts, ModuleDefinition, Plan, PlanContext, Step } from '../../../src/modules/types.js';
import type { FileStat } from '../../../src/transport/types.js';

const run = promisify(execFile);

export class LocalFacts implements Facts {
  readonly host = 'localhost';
  async stat(p: string): Promise<FileStat | null> {
    try {
      const st = await fs.stat(p);
      return {
        type: st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other',
        mode: st.mode & 0o7777,
        uid: st.uid,
        gid: st.gid,
        size: st.size,
        mtimeMs: st.mtimeMs,
      };
    } catch {
      try {
        await fs.lstat(p);
        return { type: 'symlink', mode: 0o777, uid: 0, gid: 0, size: 0, mtimeMs: 0 };
      } catch {
        return null;
      }
    }
  }
  async read(p: string): Promise<Buffer | null> {
    try {
      return await fs.readFile(p);
    } catch {
      return null;
    }
  }
  async sha256(paths: readonly string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const p of paths) {
      const b = await this.read(p);
      out.set(p, b ? crypto.createHash('sha256').update(b).digest('hex') : null);
    }
    return out;
  }
  async query(command: string) {
    try {
      const r = await run('sh', ['-c', command]);
      return { rc: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code?: number; stdout?: string; stderr?: string };
      return {
        rc: typeof err.code === 'number' ? err.code : 1,
        stdout: err.stdout ?? '',
        stderr: err.stderr ?? '',
      };
    }
  }
  async lookupId(kind: 'user' | 'group', name: string): Promise<number | null> {
    const r = await this.query(`getent ${kind === 'user' ? 'passwd' : 'group'} ${name}`);
    const id = r.stdout.split(':')[2];
    return r.rc === 0 && id ? Number(id) : null;
  }
}

export async function applySteps(steps: readonly Step[]): Promise<void> {
  for (const s of steps) {
    switch (s.kind) {
      case 'mkdir':
        await fs.mkdir(s.path, { recursive: true });
        await fs.chmod(s.path, s.mode);
        break;
      case 'write': {
        const tmp = path.join(path.dirname(s.path), `.tmp-${crypto.randomBytes(4).toString('hex')}`);
        await fs.writeFile(tmp, s.content, { mode: s.mode });
        await fs.chmod(tmp, s.mode);
        await fs.rename(tmp, s.path);
        break;
      }
      case 'attributes':
        if (s.mode !== undefined) await fs.chmod(s.path, s.mode);
        break;
      case 'remove':
        await fs.rm(s.path, { recursive: true, force: true });
        break;
      case 'exec':
        await run('sh', ['-c', s.command]);
        break;
    }
  }
}

export interface Harness {
  dir: string;
  facts: LocalFacts;
  secrets: string[];
  ctx(vars?: Record<string, unknown>, opts?: { check?: boolean; now?: Date }): PlanContext;
  /** Plan, then apply controller and target steps; returns the plan. */
  run<P>(
    mod: ModuleDefinition<P>,
    params: P,
    vars?: Record<string, unknown>,
    opts?: { check?: boolean; now?: Date },
  ): Promise<Plan>;
  cleanup(): Promise<void>;
}

export async function harness(): Promise<Harness> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-pki-'));
  const facts = new LocalFacts();
  const secrets: string[] = [];
  const h: Harness = {
    dir,
    facts,
    secrets,
    ctx(vars = {}, opts = {}) {
      const now = opts.now ?? new Date();
      return {
        host: 'localhost',
        target: facts,
        controller: facts,
        vars,
        check: opts.check ?? false,
        now: () => now,
        configDir: dir,
        secret: (v: string) => {
          secrets.push(v);
        },
      };
    },
    async run(mod, params, vars, opts) {
      const plan = await mod.plan(params, h.ctx(vars, opts));
      if (!opts?.check) {
        await applySteps(plan.controllerSteps ?? []);
        await applySteps(plan.steps);
      }
      return plan;
    },
    cleanup: () => fs.rm(dir, { recursive: true, force: true }),
  };
  return h;
}

export function allSteps(plan: Plan): Step[] {
  return [...(plan.controllerSteps ?? []), ...plan.steps];
}

export function writtenPaths(plan: Plan): string[] {
  return allSteps(plan).flatMap((s) => (s.kind === 'write' ? [s.path] : []));
}

export async function openssl(
  args: string[],
  input?: string,
): Promise<{ rc: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile('openssl', args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ rc: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** OSA's default authorities (group_vars/all/ssl.yml). */
export const OSA_AUTHORITIES = [
  {
    name: 'ExampleCorpRoot',
    cn: 'Example Corp Root CA',
    email_address: 'pki@example.com',
    country_name: 'GB',
    state_or_province_name: 'England',
    organization_name: 'Example Corporation',
    organizational_unit_name: 'IT Security',
    key_usage: ['digitalSignature', 'cRLSign', 'keyCertSign'],
    ttl: '3650d',
    provider: 'selfsigned',
    basic_constraints: 'CA:TRUE',
  },
  {
    name: 'ExampleCorpIntermediate',
    basic_constraints: 'CA:TRUE,pathlen:0',
    cn: 'Example Corp Openstack Infrastructure Intermediate CA',
    email_address: 'pki@example.com',
    country_name: 'GB',
    state_or_province_name: 'England',
    organization_name: 'Example Corporation',
    organizational_unit_name: 'IT Security',
    key_usage: ['digitalSignature', 'cRLSign', 'keyCertSign'],
    ttl: '3650d',
    signed_by: 'ExampleCorpRoot',
    provider: 'ownca',
  },
];
