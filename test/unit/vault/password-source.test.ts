import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import {
  encryptVault,
  parseVaultIdArg,
  VaultKeyring,
  vaultSourcesFromCli,
} from '../../../src/vault/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ovnctl-vaultpw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string, mode = 0o600): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode });
  return path;
}

async function rejection(p: Promise<unknown>): Promise<OvnctlError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof OvnctlError) return e;
    throw e;
  }
  throw new Error('expected an OvnctlError');
}

describe('vault password sources', () => {
  it('strips surrounding whitespace from a password file', async () => {
    const keyring = await VaultKeyring.fromSources([{ file: file('pw', '  hunter22 \r\n\n') }]);
    expect(keyring.decrypt(encryptVault('ok', 'hunter22'))).toBe('ok');
  });

  it('runs an executable password file and uses its stdout (only newlines stripped)', async () => {
    const script = file('pw.sh', "#!/bin/sh\nprintf ' spaced pw\\n'\n", 0o700);
    const keyring = await VaultKeyring.fromSources([{ file: script }]);
    expect(keyring.decrypt(encryptVault('from-script', ' spaced pw'))).toBe('from-script');
  });

  it('passes --vault-id to a *-client script', async () => {
    const script = file(
      'keyring-client.sh',
      '#!/bin/sh\n[ "$1" = --vault-id ] && printf "pw-for-%s\\n" "$2"\n',
      0o700,
    );
    const keyring = await VaultKeyring.fromSources([{ id: 'prod', file: script }]);
    expect(keyring.decrypt(encryptVault('client', 'pw-for-prod', 'prod'))).toBe('client');
  });

  it('fails on a script that exits non-zero without echoing its output', async () => {
    const script = file('bad.sh', '#!/bin/sh\necho leaked-secret\necho oops >&2\nexit 3\n', 0o700);
    const err = await rejection(VaultKeyring.fromSources([{ file: script }]));
    expect(err.message).toBe(`vault password script ${script} exited with status 3`);
    expect(err.message).not.toContain('leaked-secret');
  });

  it('rejects prompt sources in non-interactive use with a usage error', async () => {
    const err = await rejection(VaultKeyring.fromSources([parseVaultIdArg('prod@prompt')]));
    expect(err.code).toBe('usage');
    expect(err.message).toContain("'prod@prompt'");
    expect(err.hint).toContain('--vault-password-file');
  });

  it('uses a prompt callback when the caller provides one', async () => {
    const keyring = await VaultKeyring.fromSources([{ id: 'x', file: 'prompt' }], {
      prompt: async () => 'typed',
    });
    expect(keyring.decrypt(encryptVault('prompted', 'typed', 'x'))).toBe('prompted');
  });

  it('reports missing and empty password files', async () => {
    expect((await rejection(VaultKeyring.fromSources([{ file: join(dir, 'nope') }]))).message).toContain(
      'was not found',
    );
    expect((await rejection(VaultKeyring.fromSources([{ file: file('empty', ' \n') }]))).message).toContain(
      'is empty',
    );
  });

  it('orders --vault-id, then --vault-password-file, then ANSIBLE_VAULT_PASSWORD_FILE', () => {
    expect(
      vaultSourcesFromCli({
        vaultIds: ['prod@/a', '/b', 'dev@prompt'],
        vaultPasswordFiles: ['/c'],
        env: { ANSIBLE_VAULT_PASSWORD_FILE: '/d' },
      }),
    ).toEqual([
      { id: 'prod', file: '/a' },
      { file: '/b' },
      { id: 'dev', file: 'prompt' },
      { file: '/c' },
      { file: '/d' },
    ]);
    expect(() => parseVaultIdArg('prod@')).toThrow(/no password source/);
  });
});
