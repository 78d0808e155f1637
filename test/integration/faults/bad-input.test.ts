/**
 * Hand-written bad input, each with the exact message, exit code and place ovnctl reports.
 * Exit 6: the input itself cannot be used (read before anything changes, the run stops);
 * exit 2: the input is readable but the material it names is not (the host fails).
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../../src/cli/paths.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { subjectFromFields } from '../../../src/pki/names.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { makeTree } from '../../helpers/tmp.js';

let dir: string;
let cleanup: () => void;
const MAIN_CERTS = join(PACKAGE_ROOT, 'playbooks/roles/pki/tasks/main_certs.yml');
const MAIN_CA = join(PACKAGE_ROOT, 'playbooks/roles/pki/tasks/main_ca.yml');

const ovnctl = (args: string[], files: Record<string, string> = {}) => {
  for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
  return runOvnctl([...args, '--config-dir', dir], { cwd: dir });
};
/** The error report (stderr may start with other lines, e.g. audit events with -v). */
const errorOf = (stderr: string) => stderr.slice(stderr.indexOf('ERROR: '));
const play = (task: string) => `- hosts: localhost\n  gather_facts: false\n  tasks:\n    - name: x\n${task}`;

beforeAll(async () => {
  const t = makeTree({ '.keep': '' });
  dir = t.dir;
  cleanup = t.cleanup;
  const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'leaf.key',
    '-out',
    'leaf.crt',
    '-subj',
    '/CN=web.example.com',
    '-days',
    '30',
    '-addext',
    'subjectAltName=DNS:web.example.com',
  );
  ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-subj',
    '/CN=User CA',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
  ssl(
    'pkcs12',
    '-export',
    '-in',
    'ca.crt',
    '-inkey',
    'ca.key',
    '-out',
    'ca.p12',
    '-passout',
    'pass:the-right-one',
  );
  // A CA that expired in 2020 (openssl 3.0 cannot back-date, so it is made with ovnctl's signer).
  const old = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const expired = await issueCertificate({
    subject: subjectFromFields({ cn: 'Old CA' }, 'fixture'),
    publicKey: old.publicKey,
    selfKey: old.privateKey,
    notBefore: new Date('2019-01-01T00:00:00Z'),
    notAfter: new Date('2020-01-01T00:00:00Z'),
    extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign', 'cRLSign'] },
  });
  writeFileSync(join(dir, 'old.crt'), expired.pem);
  writeFileSync(
    join(dir, 'old.key'),
    createPrivateKey(old.privateKey.export({ type: 'pkcs8', format: 'pem' })).export({
      type: 'pkcs8',
      format: 'pem',
    }),
  );
  const ca = await ovnctl(['run', 'certificate-authority.yml']);
  expect(ca.code, ca.stdout).toBe(0);
}, 60_000);

afterAll(() => cleanup?.());

describe('playbook and inventory mistakes: exit 6, before any host is touched', () => {
  it('unknown module', async () => {
    const r = await ovnctl(['run', 'play.yml'], {
      'play.yml': play('      cpy: {dest: /nonexistent/x, content: a}\n'),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      `ERROR: unknown module or task keyword 'cpy'\n  at ${dir}/play.yml:5:7 (key: [0].tasks[0].cpy)\n` +
        '  hint: see `ovnctl modules` for the module list\n',
    );
    expect(r.stdout).toBe('');
  });

  it('argument of the wrong type', async () => {
    const r = await ovnctl(['run', 'play.yml'], {
      'play.yml': play('      copy: {dest: /nonexistent/x, content: a, backup: [1]}\n'),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      `ERROR: copy: 'backup' must be boolean\n  at ${dir}/play.yml:5:48 (key: copy.backup)\n`,
    );
  });

  it('unknown variable', async () => {
    const r = await ovnctl(['run', 'play.yml'], {
      'play.yml': play('      copy:\n        dest: /nonexistent/x\n        content: "{{ no_such_var }}"\n'),
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      `ERROR: 'no_such_var' is undefined\n  at ${dir}/play.yml:4:7 (key: [0].tasks[0])\n` +
        '  hint: define the variable, or give it a fallback with `| default(...)`\n',
    );
  });

  it('circular group children, and a group that is its own child', async () => {
    const cycle =
      'all:\n  children:\n    a:\n      children:\n        b:\n    b:\n      children:\n        a:\n';
    const r = await ovnctl(['run', 'play.yml', '-i', 'cycle.yml'], { 'cycle.yml': cycle });
    expect(r.code).toBe(6);
    expect(r.stderr).toBe(
      "ERROR: group 'a' cannot be a child of 'b': the groups would form a cycle (b -> a -> b)\n" +
        `  at ${dir}/cycle.yml:8:9 (key: all.children.b.children.a)\n`,
    );
    const self = await ovnctl(['run', 'play.yml', '-i', 'self.yml'], {
      'self.yml': 'all:\n  children:\n    web:\n      children:\n        web:\n',
    });
    expect(self.stderr).toBe(
      "ERROR: group 'web' cannot be a child of 'web': the groups would form a cycle (web -> web)\n" +
        `  at ${dir}/self.yml:5:9 (key: all.children.web.children.web)\n`,
    );
  });

  it('a host in two places with conflicting vars: the documented winner, every definition listed', async () => {
    const inventory = `all:
  children:
    zeta:
      hosts:
        h1: {color: zeta-host}
      vars: {color: zeta, size: zeta}
    alpha:
      hosts:
        h1: {color: alpha-host}
      vars: {color: alpha, size: alpha}
    parent:
      vars: {size: parent}
      children:
        child:
          hosts:
            h1:
          vars: {size: child}
`;
    writeFileSync(join(dir, 'dup.yml'), inventory);
    const color = await ovnctl(['vars', 'h1', '-i', 'dup.yml', '--explain', 'color']);
    // Host vars beat group vars; of two inline definitions of a host, the later in the file wins.
    expect(color.stdout).toBe(
      'color for h1 (lowest precedence first; the last one wins):\n' +
        `    inventory file group vars          "alpha"  (${dir}/dup.yml:10:14)\n` +
        `    inventory file group vars          "zeta"  (${dir}/dup.yml:6:14)\n` +
        `    inventory file host vars           "zeta-host"  (${dir}/dup.yml:5:14)\n` +
        `  * inventory file host vars           "alpha-host"  (${dir}/dup.yml:9:14)\n`,
    );
    // Group vars: shallower groups first, then by name; the deeper `child` beats alpha, parent and zeta.
    const size = await ovnctl(['vars', 'h1', '-i', 'dup.yml', '--explain', 'size']);
    expect(size.stdout).toBe(
      'size for h1 (lowest precedence first; the last one wins):\n' +
        `    inventory file group vars          "alpha"  (${dir}/dup.yml:10:28)\n` +
        `    inventory file group vars          "parent"  (${dir}/dup.yml:12:14)\n` +
        `    inventory file group vars          "zeta"  (${dir}/dup.yml:6:27)\n` +
        `  * inventory file group vars          "child"  (${dir}/dup.yml:17:18)\n`,
    );
  });
});

/** certificate-generate.yml with one user_pki_certificates_t entry (plus more -e). */
const generate = (entry: string, ...extra: string[]) =>
  ovnctl(['run', 'certificate-generate.yml', '-v', ...extra], {
    'user_t.yml': `user_pki_certificates_t:\n  - ${entry}\n`,
  });
const CERTS_TASK = `task path: ${MAIN_CERTS}:3`;

describe('certificate entries that cannot be read: exit 6, nothing issued', () => {
  const cases: [string, string, string, string?][] = [
    [
      'a ttl of -5d',
      '{name: web, cn: web.example.com, ttl: "-5d"}',
      'certificate web: ttl: cannot read duration "-5d" (e.g. 3650d, 10d, 12h)',
    ],
    [
      'a DNS SAN that is not a DNS name',
      '{name: web, cn: web.example.com, san: {dns: ["web example!"]}}',
      `certificate web: DNS SAN "web example!" is not a DNS name (letters, digits, '-' and dots; '*' only as the first label)`,
      'put IP addresses under ip:, not dns:',
    ],
    [
      'an IP SAN that is not an IP address',
      '{name: web, cn: web.example.com, san: "DNS:web.example.com,IP:999.1.1.1"}',
      'certificate web: IP SAN "999.1.1.1" is not an IP address',
    ],
  ];
  for (const [label, entry, message, hint] of cases) {
    it(label, async () => {
      const r = await generate(entry);
      expect(r.code, r.stdout + r.stderr).toBe(6);
      expect(errorOf(r.stderr)).toBe(
        `ERROR: ${message}\n  at ${MAIN_CERTS}:3:3 (key: [0])\n${hint ? `  hint: ${hint}\n` : ''}`,
      );
      expect(r.stdout).toContain(`${CERTS_TASK}\nfatal: [localhost]: FAILED! => ${message}\n`);
      expect(r.stdout).not.toContain('changed:');
    });
  }
});

describe('entries naming material that is not there or not usable: the host fails (exit 2) saying why', () => {
  it('signed_by names no CA', async () => {
    const r = await generate('{name: web, cn: web.example.com, signed_by: NoSuchCA}');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `${CERTS_TASK}\nfatal: [localhost]: FAILED! => CA NoSuchCA does not exist under ${dir}/pki (signed_by of web): ` +
        'create it first (certificate-authority.yml, or pki_authorities)\n',
    );
  });

  it('a user certificate whose key does not match', async () => {
    const r = await generate(`{name: web, src_cert: ${dir}/leaf.crt, src_key: ${dir}/other.key}`);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `${CERTS_TASK}\nfatal: [localhost]: FAILED! => certificate web: user-provided certificate refused: ` +
        `${dir}/other.key does not match the certificate in ${dir}/leaf.crt\n`,
    );
  });

  it('an expired user CA', async () => {
    const r = await ovnctl(['run', 'certificate-authority.yml', '-v'], {
      'user_t.yml': `pki_authorities_t:\n  - {name: OldCA, src_cert: ${dir}/old.crt, src_key: ${dir}/old.key}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `task path: ${MAIN_CA}:5\nfatal: [localhost]: FAILED! => authority OldCA: user-provided CA refused: ` +
        `${dir}/old.crt expired on 2020-01-01T00:00:00Z\n`,
    );
  });

  it('a PKCS#12 CA with the wrong password (which is not printed)', async () => {
    const r = await ovnctl(['run', 'certificate-authority.yml', '-vvvv'], {
      'user_t.yml': `pki_authorities_t:\n  - {name: P12CA, src_pkcs12: ${dir}/ca.p12, src_passphrase: not-the-right-one}\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(
      `fatal: [localhost]: FAILED! => authority P12CA: user-provided CA refused: cannot open ${dir}/ca.p12: wrong passphrase\n`,
    );
    expect(r.stdout + r.stderr).not.toContain('not-the-right-one');
  });
});

describe('regeneration flags naming nothing: a warning, nothing regenerated', () => {
  it('a certificate regen flag naming no certificate', async () => {
    expect((await generate('{name: web, cn: web.example.com}')).code).toBe(0);
    const r = await generate('{name: web, cn: web.example.com}', '-e', 'user_pki_regen_cert=wbe');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '[WARNING]: localhost: user_pki_regen_cert names wbe, which is not a defined certificate\n',
    );
    expect(r.stdout).toMatch(/localhost\s+: ok=2\s+changed=0/);
  });

  it('a CA regen flag naming no CA', async () => {
    const r = await ovnctl(
      ['run', 'certificate-authority.yml', '-e', 'openstack_pki_regen_ca=ExampleCorpRot'],
      {
        'user_t.yml': '{}\n',
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '[WARNING]: localhost: openstack_pki_regen_ca names ExampleCorpRot, which is not a defined authority\n',
    );
    expect(r.stdout).toMatch(/localhost\s+: ok=1\s+changed=0/);
  });
});
