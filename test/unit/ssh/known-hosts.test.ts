import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  fingerprint,
  hostFieldMatches,
  judgeHostKey,
  knownHostsLine,
  parseKnownHosts,
  preferredHostKeyAlgorithms,
} from '../../../src/transport/ssh/known-hosts.js';

// Real keys from ssh-keygen, and ssh-keygen itself as the oracle for hashing and fingerprints.
const dir = mkdtempSync(join(tmpdir(), 'ovnctl-kh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function newKey(name: string, type = 'ed25519'): { line: string; blob: Buffer; type: string; file: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const line = readFileSync(`${file}.pub`, 'utf8').trim();
  const [keyType, b64] = line.split(' ') as [string, string];
  return { line, blob: Buffer.from(b64, 'base64'), type: keyType, file: `${file}.pub` };
}

const a = newKey('a');
const b = newKey('b');
const ec = newKey('c', 'ecdsa');
const keyField = (k: { line: string }) => k.line.split(' ').slice(0, 2).join(' ');

describe('fingerprint', () => {
  it('matches ssh-keygen -l', () => {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', a.file], { encoding: 'utf8' });
    expect(out.split(' ')[1]).toBe(fingerprint(a.blob));
    expect(fingerprint(a.blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('parseKnownHosts', () => {
  it('skips comments, blank and malformed lines, keeps line numbers and markers', () => {
    const text = [
      '# comment',
      '',
      `10.0.0.1,infra1 ${keyField(a)}`,
      'garbage line',
      `@revoked * ${keyField(b)}`,
      `@cert-authority *.example ${keyField(ec)}`,
      `@bogus host ${keyField(a)}`,
      `host ssh-ed25519 ${ec.line.split(' ')[1]}`, // type field does not match the blob
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => [e.line, e.marker, e.hosts])).toEqual([
      [3, null, '10.0.0.1,infra1'],
      [5, 'revoked', '*'],
      [6, 'cert-authority', '*.example'],
    ]);
    expect(entries[0]?.key.equals(a.blob)).toBe(true);
  });
});

describe('host patterns', () => {
  it('matches plain names, wildcards, negation and [host]:port', () => {
    expect(hostFieldMatches('10.0.0.1,infra1', 'infra1')).toBe(true);
    expect(hostFieldMatches('10.0.0.1,infra1', 'infra2')).toBe(false);
    expect(hostFieldMatches('10.0.0.?', '10.0.0.7')).toBe(true);
    expect(hostFieldMatches('10.0.0.*,!10.0.0.9', '10.0.0.9')).toBe(false);
    expect(hostFieldMatches('[127.0.0.5]:2222', '[127.0.0.5]:2222')).toBe(true);
    expect(hostFieldMatches('127.0.0.5', '[127.0.0.5]:2222')).toBe(false);
    expect(hostFieldMatches('INFRA1', 'infra1')).toBe(true);
  });

  it('matches entries hashed by ssh-keygen -H, including [host]:port', () => {
    const file = join(dir, 'hashed');
    writeFileSync(file, `10.1.2.3 ${keyField(a)}\n[10.1.2.4]:2200 ${keyField(b)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries.every((e) => e.hosts.startsWith('|1|'))).toBe(true);
    expect(judgeHostKey(entries, '10.1.2.3', 22, a.blob).kind).toBe('known');
    expect(judgeHostKey(entries, '10.1.2.4', 2200, b.blob).kind).toBe('known');
    expect(judgeHostKey(entries, '10.1.2.4', 22, b.blob).kind).toBe('unknown');
    expect(judgeHostKey(entries, '10.1.2.3', 22, b.blob).kind).toBe('changed');
  });
});

describe('judgeHostKey', () => {
  const entries = parseKnownHosts(
    [`infra1 ${keyField(a)}`, `[infra1]:2222 ${keyField(b)}`, `@revoked * ${keyField(ec)}`].join('\n'),
    'known_hosts',
  );

  it('knows, flags changes and unknown hosts', () => {
    expect(judgeHostKey(entries, 'infra1', 22, a.blob).kind).toBe('known');
    const changed = judgeHostKey(entries, 'infra1', 22, b.blob);
    expect(changed.kind).toBe('changed');
    if (changed.kind === 'changed') expect(changed.known.map((e) => e.line)).toEqual([1]);
    expect(judgeHostKey(entries, 'infra1', 2222, b.blob).kind).toBe('known');
    expect(judgeHostKey(entries, 'infra9', 22, a.blob).kind).toBe('unknown');
  });

  it('refuses a revoked key even for a host without other entries', () => {
    const v = judgeHostKey(entries, 'infra9', 22, ec.blob);
    expect(v.kind).toBe('revoked');
    if (v.kind === 'revoked') expect(v.entry.line).toBe(3);
  });

  it('treats a known key of another type as a change', () => {
    const only = parseKnownHosts(`infra1 ${keyField(ec)}`, 'kh');
    expect(judgeHostKey(only, 'infra1', 22, a.blob).kind).toBe('changed');
  });

  it('ignores @cert-authority lines for plain host keys', () => {
    const ca = parseKnownHosts(`@cert-authority infra1 ${keyField(a)}`, 'kh');
    expect(judgeHostKey(ca, 'infra1', 22, a.blob).kind).toBe('unknown');
  });
});

describe('preferredHostKeyAlgorithms and knownHostsLine', () => {
  it('asks first for the key types on record', () => {
    const entries = parseKnownHosts(`h ${keyField(ec)}\nh ${keyField(a)}\nother ${keyField(b)}`, 'kh');
    expect(preferredHostKeyAlgorithms(entries, 'h', 22)).toEqual(['ecdsa-sha2-nistp256', 'ssh-ed25519']);
    expect(preferredHostKeyAlgorithms(entries, 'nobody', 22)).toEqual([]);
  });

  it('writes a line that parses back and uses [host]:port off port 22', () => {
    const line = knownHostsLine('Infra1', 2222, a.blob);
    expect(line.startsWith('[infra1]:2222 ssh-ed25519 ')).toBe(true);
    const back = parseKnownHosts(line, 'kh');
    expect(judgeHostKey(back, 'infra1', 2222, a.blob).kind).toBe('known');
  });
});
