import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh/index.js';
import type { SshSettings } from '../../../src/transport/ssh/settings.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { rejection, rigSettings } from './helpers.js';

let rig: Rig;
let dir: string;

beforeAll(async () => {
  rig = await startRig({ hosts: 3, baseOctet: 120 });
  dir = mkdtempSync(join(tmpdir(), 'ovnctl-hk-'));
});

afterAll(async () => {
  await rig?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let files = 0;
function knownHostsFile(text: string): string {
  const file = join(dir, `kh${files++}`);
  writeFileSync(file, text);
  return file;
}

/** OpenSSH's own fingerprint of a known_hosts line (the oracle for our messages). */
function sshKeygenFingerprint(line: string): string {
  const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', knownHostsFile(`${line}\n`)], {
    encoding: 'utf8',
  });
  return out.split(' ')[1] as string;
}

const lineFor = (text: string, i: number) => text.trim().split('\n')[i] as string;

async function connectWith(i: number, overrides: Partial<SshSettings>): Promise<void> {
  const t = createSshTransport(rigSettings(rig, i, overrides));
  try {
    await t.connect();
    expect((await t.exec('hostname')).stdout).toBe(`${rig.hosts[i]?.name}\n`);
  } finally {
    await t.close();
  }
}

describe('host key checking', () => {
  it('refuses an unknown host under strict, naming its fingerprint, and records nothing', async () => {
    const file = knownHostsFile('');
    const e = await rejection(
      connectWith(0, { knownHostsFiles: [file], knownHostsWriteFile: file, hostKeyChecking: 'strict' }),
    );
    expect(e.code).toBe('unreachable');
    const fp = sshKeygenFingerprint(lineFor(rig.knownHosts(), 0));
    expect(e.message).toBe(
      `infra1: host key ${fp} for 127.0.0.121:22 is not in known_hosts (strict host key checking)`,
    );
    expect(readFileSync(file, 'utf8')).toBe('');
  });

  it('records unknown hosts under accept-new, once each, from concurrent connections', async () => {
    const file = knownHostsFile('# existing comment without newline');
    const settings = {
      knownHostsFiles: [file],
      knownHostsWriteFile: file,
      hostKeyChecking: 'accept-new' as const,
    };
    await Promise.all([0, 1, 2].map((i) => connectWith(i, settings)));
    await connectWith(1, settings);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('# existing comment without newline');
    expect(lines.slice(1).sort()).toEqual(rig.knownHosts().trim().split('\n').sort());
    // What was recorded is enough for strict checking afterwards.
    await connectWith(2, { knownHostsFiles: [file], hostKeyChecking: 'strict' });
  });

  it('connects with hashed known_hosts entries (ssh-keygen -H)', async () => {
    const file = knownHostsFile(rig.knownHosts());
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    expect(readFileSync(file, 'utf8')).not.toContain('127.0.0.');
    await connectWith(1, { knownHostsFiles: [join(dir, 'missing-file'), file], hostKeyChecking: 'strict' });
  });

  it('refuses a key marked @revoked even when the host is also listed', async () => {
    const line = lineFor(rig.knownHosts(), 2);
    const keyPart = line.split(' ').slice(1).join(' ');
    const file = knownHostsFile(`${line}\n@revoked * ${keyPart}\n`);
    const e = await rejection(connectWith(2, { knownHostsFiles: [file], hostKeyChecking: 'accept-new' }));
    expect(e.message).toBe(`infra3: host key ${sshKeygenFingerprint(line)} is marked @revoked in ${file}:2`);
  });

  it('refuses a changed host key under accept-new and strict with both fingerprints; off connects', async () => {
    const before = rig.knownHosts();
    const file = knownHostsFile(before);
    await connectWith(0, { knownHostsFiles: [file], hostKeyChecking: 'strict' });
    await rig.regenerateHostKey(0);
    const oldFp = sshKeygenFingerprint(lineFor(before, 0));
    const newFp = sshKeygenFingerprint(lineFor(rig.knownHosts(), 0));
    expect(newFp).not.toBe(oldFp);
    for (const mode of ['accept-new', 'strict'] as const) {
      const e = await rejection(
        connectWith(0, { knownHostsFiles: [file], knownHostsWriteFile: file, hostKeyChecking: mode }),
      );
      expect(e.code).toBe('unreachable');
      expect(e.message).toBe(
        `infra1: HOST KEY CHANGED for 127.0.0.121:22: known_hosts has ${oldFp}, the host presented ${newFp}`,
      );
      expect(e.hint).toContain(`${file}:1`);
    }
    expect(readFileSync(file, 'utf8')).toBe(before);
    await connectWith(0, { knownHostsFiles: [file], hostKeyChecking: 'off' });
  });
});
