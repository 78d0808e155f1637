/**
 * Every bundled playbook, plus one that tries hard to print secrets, run with -vvvv, --diff and
 * --output json, with failures injected (a host that refuses connections, a wrong CA passphrase,
 * failing tasks), the CA passphrase coming from a file encrypted by the real ansible-vault: no
 * private key, passphrase or vault value in any output, retry file, log or JSON document.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../src/cli/paths.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { readKey } from '../../helpers/pki-tree.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const DEST = '/etc/ssl/ovnctl-test';
const VAULT_PASSWORD = 'vault-pw-7d1f0c9b2a';
const CA_PASSPHRASE = 'ca-passphrase-e83b5a41c6f2';
const DB_PASSWORD = 'db-password-0a6c93f71b2e';
const WRONG_PASSPHRASE = 'wrong-passphrase-5c2d8e19';
// A host nobody listens for: every playbook meets a connection refused.
const DEAD_HOST = '127.0.2.69';

const LEAK = `- name: try to leak secrets
  hosts: rig
  gather_facts: false
  tasks:
    - name: print the passphrase
      debug: {msg: "passphrase is {{ pki_ca_key_passphrase }}"}
    - name: print the vault value
      debug: {var: vault_db_password}
    - name: write it to a file, shown by --diff
      copy: {dest: ${DEST}/leak.txt, content: "db={{ vault_db_password }}\\n", mode: "0600"}
    - name: echo it
      command: "echo db={{ vault_db_password }}"
      register: echoed
      changed_when: false
    - name: print a private key read on the controller
      command: "cat {{ leaf_key }}"
      delegate_to: localhost
      changed_when: false
    - name: hidden by no_log
      debug: {msg: "{{ vault_db_password }}"}
      no_log: true
    - name: fail with them
      fail: {msg: "failing with {{ vault_db_password }} and {{ pki_ca_key_passphrase }} and {{ echoed.stdout }}"}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
const outputs: string[] = [];

const run = async (args: string[]) => {
  const r = await runOvnctl(
    [
      ...args,
      '-i',
      'inventory.yml',
      '--config-dir',
      dir,
      '--vault-password-file',
      join(dir, 'vault-pw'),
      '-T',
      '5',
    ],
    { cwd: dir, env: { HOME: join(dir, 'home') } },
  );
  // Only what ovnctl wrote (the command line itself holds a secret on purpose).
  outputs.push(`${r.stdout}\n${r.stderr}`);
  return r;
};

function inventory(): string {
  const groups = ['haproxy_all', 'rabbitmq_all', 'ovn_central', 'ovn_chassis']
    .map((g) => `    ${g}:\n      children:\n        rig:\n`)
    .join('');
  return rig
    .inventory()
    .replace(
      '      hosts:\n',
      `      hosts:\n        dead1:\n          ansible_host: ${DEAD_HOST}\n          ansible_ssh_private_key_file: ${rig.clientKeyFile}\n`,
    )
    .replace('  children:\n', `  children:\n${groups}`);
}

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((e) => {
    const p = join(root, e);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Every private key on the controller and the hosts, as stored and decrypted, as base64 lines. */
const PEM_KEY = /-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}[\s\S]*?-{5}END [A-Z ]*PRIVATE KEY-{5}/g;

function keyMaterial(): string[] {
  const roots = [join(dir, 'pki'), ...rig.hosts.map((h) => join(h.root, '/etc'))];
  const lines = new Set<string>();
  for (const file of roots.flatMap(filesUnder)) {
    const text = readFileSync(file, 'utf8');
    for (const block of text.match(PEM_KEY) ?? []) {
      const key = readKey(block, block.includes('ENCRYPTED') ? CA_PASSPHRASE : undefined);
      for (const form of [block, key.export({ type: 'pkcs8', format: 'pem' }).toString()])
        for (const l of form.split('\n')) if (l.length >= 40 && !l.startsWith('-----')) lines.add(l);
    }
  }
  return [...lines];
}

beforeAll(async () => {
  rig = await startRig({ hosts: 2, net: 2, baseOctet: 60 });
  const t = makeTree({
    'leak.yml': LEAK,
    known_hosts: rig.knownHosts(),
    'vault-pw': `${VAULT_PASSWORD}\n`,
    'home/.ssh/.keep': '',
    'user_secrets.yml': `pki_ca_key_passphrase: ${CA_PASSPHRASE}\n`,
  });
  dir = t.dir;
  cleanup = t.cleanup;
  writeFileSync(join(dir, 'inventory.yml'), inventory());
  const vault = ['--vault-password-file', join(dir, 'vault-pw')];
  execFileSync('ansible-vault', ['encrypt', ...vault, join(dir, 'user_secrets.yml')], { stdio: 'ignore' });
  const inline = execFileSync(
    'ansible-vault',
    ['encrypt_string', ...vault, DB_PASSWORD, '--name', 'vault_db_password'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  writeFileSync(
    join(dir, 'user_variables.yml'),
    `${inline}\nuser_pki_certificates_web:\n  - {name: web, cn: web.example.com}\n` +
      `leaf_key: ${join(dir, 'pki/certs/private/web.key.pem')}\n` +
      'internal_lb_vip_address: 127.0.2.61\nexternal_lb_vip_address: 127.0.2.62\n',
  );
  expect(readFileSync(join(dir, 'user_secrets.yml'), 'utf8')).toMatch(/^\$ANSIBLE_VAULT;1\.1;AES256\n/);
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

describe('secrets stay secret, whatever happens', () => {
  it('through every bundled playbook, a leaking playbook and injected failures', async () => {
    const ca = await run(['run', 'certificate-authority.yml', '-vvvv', '--diff']);
    expect(ca.code, ca.stdout + ca.stderr).toBe(0);
    // The vault passphrase was used: CA keys are encrypted at rest with it.
    const rootKey = readFileSync(
      join(dir, 'pki/roots/ExampleCorpRoot/private/ExampleCorpRoot.key.pem'),
      'utf8',
    );
    expect(rootKey).toMatch(/^-{5}BEGIN ENCRYPTED PRIVATE KEY-{5}/);
    expect(() => readKey(rootKey, CA_PASSPHRASE)).not.toThrow();
    expect((await run(['run', 'certificate-generate.yml', '-vvvv', '--diff'])).code).toBe(0);

    const wrong = await run([
      'run',
      'certificate-generate.yml',
      '-vvvv',
      '-e',
      `pki_ca_key_passphrase=${WRONG_PASSPHRASE}`,
      '-e',
      'user_pki_regen_cert=web',
    ]);
    expect(wrong.code).toBe(2);
    expect(wrong.stdout).toMatch(/fatal: \[localhost\]: FAILED! => .*passphrase/);

    const leak = await run(['run', 'leak.yml', '-vvvv', '--diff']);
    expect(leak.code).toBe(4);
    expect(leak.stdout).toContain(`fatal: [${rig.hosts[0]?.name}]: FAILED! => failing with`);
    expect(readFileSync(join(rig.hostRoot(0), DEST, 'leak.txt'), 'utf8')).toBe(`db=${DB_PASSWORD}\n`);
    expect((await run(['run', 'leak.yml', '-vvvv', '--diff', '--output', 'json'])).code).toBe(4);

    const bundled = readdirSync(join(PACKAGE_ROOT, 'playbooks')).filter((f) => f.endsWith('.yml'));
    expect(bundled).toEqual(
      expect.arrayContaining(['certificate-authority.yml', 'certificate-generate.yml']),
    );
    for (const playbook of bundled) {
      for (const output of [[], ['--output', 'json']]) {
        const r = await run(['run', playbook, '-vvvv', '--diff', ...output]);
        expect([0, 2, 4, 6], `${playbook}: ${r.stderr}`).toContain(r.code);
      }
    }

    const files = [
      ...filesUnder(join(dir, '.ovnctl')),
      ...rig.hosts.map((h) => join(rig.dir, `host${h.index + 1}`, 'sshd.log')),
    ];
    expect(files.some((f) => f.endsWith('.retry'))).toBe(true);
    const everything = [...outputs, ...files.map((f) => `${f}:\n${readFileSync(f, 'utf8')}`)].join('\n');
    for (const secret of [VAULT_PASSWORD, CA_PASSPHRASE, DB_PASSWORD, WRONG_PASSPHRASE]) {
      expect(everything.includes(secret), `${secret} leaked`).toBe(false);
    }
    expect(everything).not.toMatch(/-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}/);
    const keyLines = keyMaterial();
    expect(keyLines.length).toBeGreaterThan(20);
    const leaked = keyLines.filter((l) => everything.includes(l));
    expect(leaked, 'private key material in the output').toEqual([]);
    // Redacted, not dropped: the places the secrets would have been say so.
    expect(leak.stdout).toContain('passphrase is ********');
  });
});
