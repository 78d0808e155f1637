import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { templateModule } from '../../../src/modules/builtin/template.js';
import { encryptVault, VaultKeyring } from '../../../src/vault/index.js';
import { VaultedValue } from '../../../src/yaml/tags.js';
import { applyLocally, localContext } from './local-host.js';

const root = mkdtempSync(join(tmpdir(), 'ovnctl-template-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('template converges on a real filesystem', () => {
  it('renders from playbook_dir/templates, then finds nothing to do', async () => {
    mkdirSync(join(root, 'templates'));
    writeFileSync(join(root, 'templates/haproxy.cfg.j2'), 'frontend {{ name }}\n  bind :{{ port }}\n');
    const ctx = localContext({ playbook_dir: root, name: 'ovn', port: 6641 });
    const params = { src: 'haproxy.cfg.j2', dest: join(root, 'haproxy.cfg'), mode: '0640' };
    const first = await templateModule.plan(params, ctx);
    expect(first.failed).toBeUndefined();
    expect((await applyLocally(first.steps)).failed).toBeUndefined();
    expect(readFileSync(params.dest, 'utf8')).toBe('frontend ovn\n  bind :6641\n');
    expect((await templateModule.plan(params, ctx)).steps).toEqual([]);
  });

  it('decrypts !vault variables when the engine provides decryptVault on the context', async () => {
    writeFileSync(join(root, 'templates/creds.j2'), 'password={{ rabbit_password }}\n');
    const keyring = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    const vars = { playbook_dir: root, rabbit_password: new VaultedValue(encryptVault('s3cret', 'pw')) };
    const ctx = { ...localContext(vars), decryptVault: (v: VaultedValue) => keyring.decrypt(v.envelope) };
    const plan = await templateModule.plan({ src: 'creds.j2', dest: join(root, 'creds') }, ctx);
    const write = plan.steps[0];
    expect(write?.kind === 'write' && write.content.toString()).toBe('password=s3cret\n');
  });
});
