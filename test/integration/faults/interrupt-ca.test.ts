/**
 * Ctrl-C / SIGTERM while certificate-authority.yml creates or regenerates CAs: exit 99, no CA
 * key lost or replaced without a backup, every file on disk whole, and a re-run converges.
 * One signal finishes the steps in flight; a second one leaves at once.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type CliProcess, runOvnctl, startOvnctl } from '../../helpers/cli-process.js';
import { auditPkiTree, caState, publicKeyId, readKey } from '../../helpers/pki-tree.js';
import { makeTree } from '../../helpers/tmp.js';

const SIGNAL_MSG = /(SIGINT|SIGTERM): stopping after the steps in flight/;
const DEFAULT_CAS = ['ExampleCorpRoot', 'ExampleCorpIntermediate'];

let cleanups: (() => void)[] = [];
let procs: CliProcess[] = [];
afterEach(() => {
  for (const p of procs) p.kill();
  for (const c of cleanups) c();
  procs = [];
  cleanups = [];
});

function configDir(files: Record<string, string> = {}): string {
  const t = makeTree({ '.keep': '', ...files });
  cleanups.push(t.cleanup);
  return t.dir;
}

function start(dir: string, ...args: string[]): CliProcess {
  const p = startOvnctl(['run', 'certificate-authority.yml', '--config-dir', dir, ...args], { cwd: dir });
  procs.push(p);
  return p;
}

const runCa = (dir: string, ...args: string[]) =>
  runOvnctl(['run', 'certificate-authority.yml', '--config-dir', dir, ...args], { cwd: dir });

/** Every CA whose key and certificate both exist: they match, and the certificate is signed by its parent. */
function checkCas(pki: string, names: readonly string[], parentOf: (n: string) => string | undefined): void {
  for (const name of names) {
    const ca = caState(pki, name);
    if (!ca.key || !ca.cert) continue;
    expect(ca.cert.checkPrivateKey(readKey(ca.key)), `${name}: key matches certificate`).toBe(true);
    const parent = parentOf(name);
    const signer = parent ? caState(pki, parent).cert : ca.cert;
    if (signer)
      expect(ca.cert.verify(signer.publicKey), `${name}: signed by ${parent ?? 'itself'}`).toBe(true);
  }
}

/** A root and n intermediates, RSA: a slow enough plan that a first signal lands in it. */
function manyAuthorities(n: number, rootBits: number): string {
  const ku = 'key_usage: [digitalSignature, cRLSign, keyCertSign]';
  const lines = [
    'openstack_pki_authorities:',
    `  - {name: Root, cn: Fault Root, provider: selfsigned, basic_constraints: "CA:TRUE", key_size: ${rootBits}, ${ku}}`,
  ];
  for (let i = 1; i <= n; i++) {
    lines.push(
      `  - {name: Int${i}, cn: Fault Int ${i}, provider: ownca, signed_by: Root, basic_constraints: "CA:TRUE,pathlen:0", ${ku}}`,
    );
  }
  return `${lines.join('\n')}\npki_default_key_type: rsa\npki_default_key_size: 2048\n`;
}

const MANY = 12;
const manyNames = ['Root', ...Array.from({ length: MANY }, (_, i) => `Int${i + 1}`)];
const manyParent = (n: string) => (n === 'Root' ? undefined : 'Root');
const defaultParent = (n: string) => (n === 'ExampleCorpIntermediate' ? 'ExampleCorpRoot' : undefined);

async function waitFor(test: () => boolean, p: CliProcess, what: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen in time:\n${p.stdout()}${p.stderr()}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/**
 * First signal while the task plans (keys being generated), second one `delayMs` after `mark`
 * shows the writes have begun: the process leaves in the middle of them.
 */
async function stopTwice(p: CliProcess, sig: NodeJS.Signals, mark: () => boolean, delayMs: number) {
  await p.waitForOutput(/TASK \[Create certificate authorities\]/, 30_000);
  p.signal(sig);
  await p.waitForOutput(SIGNAL_MSG, 10_000);
  await waitFor(mark, p, 'the first write');
  await new Promise((r) => setTimeout(r, delayMs));
  p.signal(sig);
  return p.exited(20_000);
}

describe('one signal while the CAs are being made (RSA-4096 keys widen the window)', () => {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig}: the task in flight completes, nothing after it starts, exit 99, re-run changes nothing`, async () => {
      const dir = configDir();
      const p = start(dir, '-e', 'pki_default_key_type=rsa', '-e', 'pki_default_key_size=4096');
      // At once: the task has just started generating its two RSA-4096 keys.
      await p.waitForOutput(/TASK \[Create certificate authorities\]/, 30_000);
      p.signal(sig);
      const exit = await p.exited(60_000);
      expect(exit.code, p.stdout() + p.stderr()).toBe(99);
      expect(p.stderr()).toMatch(new RegExp(`${sig}: stopping after the steps in flight`));
      expect(p.stdout()).toMatch(/changed: \[localhost\]/);
      expect(p.stdout()).not.toContain('PLAY [Install CA certificates');
      const pki = join(dir, 'pki');
      expect(auditPkiTree(pki).problems).toEqual([]);
      checkCas(pki, DEFAULT_CAS, defaultParent);
      for (const n of DEFAULT_CAS) expect(caState(pki, n).key).toContain('PRIVATE KEY');
      expect(existsSync(join(dir, '.ovnctl/lock'))).toBe(false);
      const again = await runCa(dir, '-e', 'pki_default_key_type=rsa');
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/localhost\s+: ok=1\s+changed=0/);
    });
  }
});

describe('a second signal stops at once, anywhere in the writes', () => {
  it('leaves only whole files, keeps every key it wrote, and the re-run converges', async () => {
    let stoppedMidway = 0;
    for (const delayMs of [0, 20, 60]) {
      const dir = configDir({ 'user_pki.yml': manyAuthorities(MANY, 2048) });
      const pki = join(dir, 'pki');
      const p = start(dir);
      const exit = await stopTwice(
        p,
        'SIGINT',
        () => existsSync(join(pki, 'roots/Root/private/Root.key.pem')),
        delayMs,
      );
      expect(exit.code, `delay ${delayMs}: ${p.stderr()}`).toBe(99);
      expect(auditPkiTree(pki).problems, `delay ${delayMs}`).toEqual([]);
      checkCas(pki, manyNames, manyParent);
      const keysBefore = new Map(manyNames.map((n) => [n, caState(pki, n).key]));
      if (manyNames.some((n) => !caState(pki, n).cert)) stoppedMidway++;

      const again = await runCa(dir);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(auditPkiTree(pki).problems).toEqual([]);
      checkCas(pki, manyNames, manyParent);
      for (const [n, key] of keysBefore) {
        // A key without its certificate (stopped between the two writes) is kept, not replaced.
        if (key) expect(caState(pki, n).key, `${n} key kept`).toBe(key);
        else expect(caState(pki, n).key).toContain('PRIVATE KEY');
      }
      const third = await runCa(dir);
      expect(third.stdout).toMatch(/localhost\s+: ok=1\s+changed=0/);
      expect(readdirSync(join(dir, '.ovnctl'))).not.toContain('lock');
    }
    // The second signal did land in the middle of the writes (not after them).
    expect(stoppedMidway).toBeGreaterThan(0);
  });

  it('while regenerating the root: the old key is the current one or in a backup; re-running the command finishes it', async () => {
    const dir = configDir({ 'user_pki.yml': manyAuthorities(4, 4096) });
    const pki = join(dir, 'pki');
    const names = manyNames.slice(0, 5);
    expect((await runCa(dir)).code).toBe(0);
    const oldRoot = publicKeyId(caState(pki, 'Root').key as string);
    for (const delayMs of [0, 10, 30]) {
      const before = new Set(readdirSync(join(pki, 'roots/Root/private')));
      const p = start(dir, '-e', 'openstack_pki_regen_ca=Root');
      const newBackup = () =>
        readdirSync(join(pki, 'roots/Root/private')).some((f) => !before.has(f) && f.endsWith('~'));
      expect((await stopTwice(p, 'SIGTERM', newBackup, delayMs)).code).toBe(99);
      expect(auditPkiTree(pki).problems, `delay ${delayMs}`).toEqual([]);
      const root = caState(pki, 'Root');
      const known = [root.key, ...root.keyBackups].map((k) => publicKeyId(k as string));
      expect(known, 'the original root key survives').toContain(oldRoot);
    }
    const finish = await runCa(dir, '-e', 'openstack_pki_regen_ca=Root');
    expect(finish.code, finish.stdout).toBe(0);
    expect(auditPkiTree(pki).problems).toEqual([]);
    checkCas(pki, names, manyParent);
    const root = caState(pki, 'Root');
    expect(publicKeyId(root.key as string)).not.toBe(oldRoot);
    expect(root.keyBackups.map((k) => publicKeyId(k))).toContain(oldRoot);
    const settled = await runCa(dir);
    expect(settled.stdout).toMatch(/localhost\s+: ok=1\s+changed=0/);
  });
});

describe('one writer per config dir', () => {
  it('a second ovnctl on the same config dir refuses with a clear error while the first runs', async () => {
    // RSA keys to make (one of 4096 bits): the first run is still busy when the second one starts.
    const dir = configDir({ 'user_pki.yml': manyAuthorities(4, 4096) });
    const first = start(dir);
    await first.waitForOutput(/TASK \[Create certificate authorities\]/, 30_000);
    const second = await runOvnctl(
      ['run', 'certificate-generate.yml', '--config-dir', dir, '-e', 'user_pki_regen_cert=true'],
      { cwd: dir },
    );
    expect(second.code).toBe(5);
    expect(second.stderr).toBe(
      `ERROR: another ovnctl (pid ${first.pid}) is running on ${dir}\n` +
        `  hint: wait for it to finish; if it is gone, remove ${join(dir, '.ovnctl/lock')}\n`,
    );
    expect(second.stdout).toBe('');
    expect((await first.exited(60_000)).code).toBe(0);
    expect(existsSync(join(dir, '.ovnctl/lock'))).toBe(false);
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const dir = configDir();
    const dead = startOvnctl(['--version'], { cwd: dir });
    await dead.exited(10_000);
    const lockDir = join(dir, '.ovnctl');
    mkdirSync(lockDir, { recursive: true });
    writeFileSync(join(lockDir, 'lock'), `${dead.pid}\n`);
    const r = await runCa(dir, '-e', 'pki_default_curve=P-256');
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(lockDir, 'lock'))).toBe(false);
  });
});
