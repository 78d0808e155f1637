import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { blockinfileModule } from '../../../src/modules/builtin/blockinfile.js';
import { copyModule } from '../../../src/modules/builtin/copy.js';
import { fileModule } from '../../../src/modules/builtin/file.js';
import { lineinfileModule } from '../../../src/modules/builtin/lineinfile.js';
import type { ModuleDefinition, Plan } from '../../../src/modules/types.js';
import { applyLocally, localContext } from './local-host.js';

const root = mkdtempSync(join(tmpdir(), 'ovnctl-modules-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (p: string): number => statSync(p).mode & 0o7777;

/** Plan, apply, and check that a second plan finds nothing left to do. */
async function converge<P>(module: ModuleDefinition<P>, params: P): Promise<Plan> {
  const ctx = localContext({ playbook_dir: root });
  const first = await module.plan(params, ctx);
  expect(first.failed).toBeUndefined();
  expect((await applyLocally(first.steps)).failed).toBeUndefined();
  const second = await module.plan(params, ctx);
  expect(second.failed).toBeUndefined();
  expect(second.steps.map((s) => s.why)).toEqual([]);
  return first;
}

describe('modules converge on a real filesystem', () => {
  it('copy: create, then mode drift, then content drift', async () => {
    const dest = join(root, 'app.conf');
    const first = await converge(copyModule, { content: 'listen 443\n', dest, mode: '0600' });
    expect(first.steps.map((s) => s.kind)).toEqual(['write']);
    expect(readFileSync(dest, 'utf8')).toBe('listen 443\n');
    expect(modeOf(dest)).toBe(0o600);

    chmodSync(dest, 0o644);
    const attrs = await converge(copyModule, { content: 'listen 443\n', dest, mode: '0600' });
    expect(attrs.steps.map((s) => s.kind)).toEqual(['attributes']);
    expect(modeOf(dest)).toBe(0o600);

    writeFileSync(dest, 'listen 80\n');
    await converge(copyModule, { content: 'listen 443\n', dest, mode: '0600' });
    expect(readFileSync(dest, 'utf8')).toBe('listen 443\n');
  });

  it('copy: a src from the controller, found under playbook_dir/files', async () => {
    writeFileSync(join(root, 'ca.pem'), 'CERT\n');
    const dest = join(root, 'ca-copy.pem');
    await converge(copyModule, { src: 'ca.pem', dest });
    expect(readFileSync(dest, 'utf8')).toBe('CERT\n');
  });

  it('copy with validate: a rejected candidate never replaces the file and is cleaned up', async () => {
    const dir = join(root, 'validated');
    await converge(fileModule, { path: dir, state: 'directory' });
    const dest = join(dir, 'haproxy.cfg');
    await converge(copyModule, { content: 'global ok\n', dest, validate: 'grep -q global %s' });

    const ctx = localContext();
    const bad = await copyModule.plan({ content: 'broken\n', dest, validate: 'grep -q global %s' }, ctx);
    expect(bad.steps.map((s) => s.kind)).toEqual(['write', 'exec', 'write']);
    expect((await applyLocally(bad.steps)).failed).toContain('validate');
    expect(readFileSync(dest, 'utf8')).toBe('global ok\n');
    expect(readdirSync(dir)).toEqual(['haproxy.cfg']);
  });

  it('file: directory, touch and absent', async () => {
    const dir = join(root, 'a/b/c');
    await converge(fileModule, { path: dir, state: 'directory', mode: '0750' });
    expect(modeOf(dir)).toBe(0o750);
    const stamp = join(dir, 'stamp');
    await converge(fileModule, { path: stamp, state: 'touch', mode: 'u=rw,go=' });
    expect(modeOf(stamp)).toBe(0o600);
    await converge(fileModule, { path: join(root, 'a'), state: 'absent' });
    expect(existsSync(join(root, 'a'))).toBe(false);
  });

  it('blockinfile: insert, then replace the block in place', async () => {
    const path = join(root, 'hosts');
    writeFileSync(path, '127.0.0.1 localhost\n::1 localhost\n');
    await converge(blockinfileModule, { path, block: '10.0.0.1 infra1', insertafter: '^127' });
    await converge(blockinfileModule, {
      path,
      block: '10.0.0.1 infra1\n10.0.0.2 infra2',
      insertafter: '^127',
    });
    expect(readFileSync(path, 'utf8')).toBe(
      '127.0.0.1 localhost\n# BEGIN ANSIBLE MANAGED BLOCK\n10.0.0.1 infra1\n10.0.0.2 infra2\n# END ANSIBLE MANAGED BLOCK\n::1 localhost\n',
    );
    await converge(blockinfileModule, { path, state: 'absent' });
    expect(readFileSync(path, 'utf8')).toBe('127.0.0.1 localhost\n::1 localhost\n');
  });

  it('lineinfile: create, then replace by regexp', async () => {
    const path = join(root, 'sub/ovn.conf');
    await converge(lineinfileModule, { path, line: 'OVN_SSL=yes', create: true, mode: '0640' });
    await converge(lineinfileModule, { path, regexp: '^OVN_SSL=', line: 'OVN_SSL=no' });
    expect(readFileSync(path, 'utf8')).toBe('OVN_SSL=no\n');
    expect(modeOf(path)).toBe(0o640);
  });
});
