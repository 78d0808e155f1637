/**
 * certificate-authority.yml and certificate-generate.yml through the CLI
 * (`node bin/ovnctl.js`, built by `npm run build`), on a fresh config directory.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../src/pki/inspect.js';
import { openssl } from '../../unit/pki/harness.js';

const root = path.resolve(import.meta.dirname, '../../..');
let dir: string;

function ovnctl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'node',
      [path.join(root, 'bin/ovnctl.js'), ...args, '--config-dir', dir],
      { timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-cli-pki-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const pki = () => path.join(dir, 'pki');
const rootCrt = () => path.join(pki(), 'roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt');
const intChain = () =>
  path.join(pki(), 'roots/ExampleCorpIntermediate/certs/ExampleCorpIntermediate-chain.crt');

describe('ovnctl run certificate-authority.yml', () => {
  it('creates OSA default CAs under <config dir>/pki with no variables, then changes nothing', async () => {
    const first = await ovnctl(['run', 'certificate-authority.yml']);
    expect(first.out).toMatch(/localhost\s+: ok=\d+\s+changed=1/);
    expect(first.code).toBe(0);
    const v = await openssl([
      'verify',
      '-CAfile',
      rootCrt(),
      path.join(pki(), 'roots/ExampleCorpIntermediate/certs/ExampleCorpIntermediate.crt'),
    ]);
    expect(v.stdout).toContain(': OK');
    const again = await ovnctl(['run', 'certificate-authority.yml']);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/localhost\s+: ok=\d+\s+changed=0/);
  });

  it('in check mode says what it would do and writes nothing', async () => {
    const r = await ovnctl(['run', 'certificate-authority.yml', '--check', '-v']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('would create CA ExampleCorpRoot: does not exist');
    await expect(fs.stat(pki())).rejects.toThrow();
  });
});

describe('ovnctl run certificate-generate.yml', () => {
  it('issues user_pki_certificates_*, reissues on a SAN change and on user_pki_regen_cert', async () => {
    expect((await ovnctl(['run', 'certificate-authority.yml'])).code).toBe(0);
    const users = (dns: string[]) =>
      fs.writeFile(
        path.join(dir, 'user_pki.yml'),
        `user_pki_certificates_web:\n  - name: web\n    cn: web.example.com\n    san: {dns: [${dns.join(', ')}]}\n`,
      );
    await users(['web.example.com']);
    const gen = await ovnctl(['run', 'certificate-generate.yml']);
    expect(gen.code).toBe(0);
    const crt = path.join(pki(), 'certs/certs/web.crt');
    const v = await openssl(['verify', '-CAfile', rootCrt(), '-untrusted', intChain(), crt]);
    expect(v.stdout).toContain(': OK');
    const serial = async () => parseCertificate(await fs.readFile(crt), crt).serial;
    const s1 = await serial();

    await users(['web.example.com', 'www.example.com']);
    const check = await ovnctl(['run', 'certificate-generate.yml', '--check', '-v']);
    expect(check.out).toContain('would reissue web: SAN changed (+DNS:www.example.com)');
    expect(await serial()).toBe(s1);
    expect((await ovnctl(['run', 'certificate-generate.yml'])).code).toBe(0);
    const s2 = await serial();
    expect(s2).not.toBe(s1);

    const regen = await ovnctl(['run', 'certificate-generate.yml', '-e', 'user_pki_regen_cert=web', '-v']);
    expect(regen.out).toContain('reissue web: regeneration requested (user_pki_regen_cert: web)');
    expect(await serial()).not.toBe(s2);
  });
});
