import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  composeCommand,
  shellQuote,
  withRemoteTimeout,
  wrapSudo,
} from '../../../src/transport/ssh/command.js';
import { parseSha256Output, sha256Commands } from '../../../src/transport/ssh/sha256-batch.js';

const sh = (script: string, input?: string): string =>
  execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8', input: input ?? '', stdio: 'pipe' });

describe('shellQuote', () => {
  it('round-trips awkward strings through /bin/sh', () => {
    for (const s of ["it's", 'a b', '$HOME', '`id`', 'x\ny', '"q"', '\\', '-rf', '', "''", '*']) {
      expect(sh(`printf %s ${shellQuote(s)}`)).toBe(s);
    }
  });

  it('refuses NUL', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('composeCommand', () => {
  it('applies cwd and env before the command', () => {
    const script = composeCommand('pwd; printf "%s|%s" "$A" "$B"', {
      cwd: '/tmp',
      env: { A: "it's", B: 'x y' },
    });
    expect(sh(script)).toBe("/tmp\nit's|x y");
  });

  it('fails for a missing cwd instead of running elsewhere', () => {
    expect(() => sh(composeCommand('echo ran', { cwd: '/nonexistent-ovnctl' }))).toThrow();
  });

  it('rejects invalid variable names', () => {
    expect(() => composeCommand('true', { env: { 'A-B': '1' } })).toThrow(/A-B/);
  });
});

describe('wrapSudo', () => {
  it('uses -n without a password, and passes the script intact', () => {
    const markers = { success: 'OK-1', prompt: '[p] ' };
    const cmd = wrapSudo("echo 'x'", 'root', markers, false);
    expect(cmd).toMatch(/^sudo -H -S -n -p '\[p\] ' -u root -- \/bin\/sh -c /);
    // Run the wrapped command with a fake sudo that just runs what follows `--`.
    const fake = `sudo() { while [ "$1" != "--" ]; do shift; done; shift; "$@"; }\n${cmd}`;
    expect(sh(fake)).toBe('OK-1\nx\n');
    expect(wrapSudo('true', 'svc', markers, true)).not.toContain(' -n ');
  });
});

describe('withRemoteTimeout', () => {
  it('passes output and exit status through when in time', () => {
    const r = spawnSync('/bin/sh', ['-c', withRemoteTimeout("echo 'in time'; exit 3", 5)], {
      encoding: 'utf8',
    });
    expect([r.stdout, r.status]).toEqual(['in time\n', 3]);
  });

  it('stops a command that runs too long, children included', () => {
    const started = Date.now();
    const r = spawnSync('/bin/sh', ['-c', withRemoteTimeout('sleep 20 & sleep 20; echo never', 1)], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(124);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('sha256 batching', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ovnctl-sha-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('parses real sha256sum output, including escaped names, and omits missing files', () => {
    const names = ['plain', 'with space', 'back\\slash', 'new\nline'].map((n) => join(dir, n));
    const contents = names.map((_, i) => `content ${i}`);
    names.forEach((n, i) => {
      writeFileSync(n, contents[i] as string);
    });
    const missing = join(dir, 'missing');
    const [command, ...more] = sha256Commands([...names, missing, names[0] as string]);
    expect(more).toEqual([]);
    const output = execFileSync('/bin/sh', ['-c', `${command}; true`], { encoding: 'utf8' });
    const hashes = parseSha256Output(output);
    names.forEach((n, i) => {
      expect(hashes.get(n)).toBe(
        createHash('sha256')
          .update(contents[i] as string)
          .digest('hex'),
      );
    });
    expect(hashes.has(missing)).toBe(false);
  });

  it('splits very long path lists into several commands', () => {
    const paths = Array.from(
      { length: 3000 },
      (_, i) => `/etc/ssl/private/some-long-directory-name/file-${i}.pem`,
    );
    const commands = sha256Commands(paths);
    expect(commands.length).toBeGreaterThan(1);
    expect(commands.every((c) => c.length < 100 * 1024)).toBe(true);
    expect(commands.join(' ').split('file-').length - 1).toBe(3000);
  });
});
