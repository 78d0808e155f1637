import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/transport/local.js';

const dir = mkdtempSync(join(tmpdir(), 'ovnctl-local-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const t = new LocalTransport('localhost');

describe('LocalTransport reads and stats', () => {
  it('reads small and large files whole', async () => {
    const small = Buffer.from('-----BEGIN CERTIFICATE-----\nabc\n');
    const large = Buffer.alloc(300 * 1024 + 7, 0x61);
    writeFileSync(join(dir, 'small'), small);
    writeFileSync(join(dir, 'large'), large);
    expect((await t.readFile(join(dir, 'small')))?.equals(small)).toBe(true);
    expect((await t.readFile(join(dir, 'large')))?.equals(large)).toBe(true);
  });

  it('gives null for a missing file or a path through a file', async () => {
    writeFileSync(join(dir, 'plain'), 'x');
    expect(await t.readFile(join(dir, 'missing'))).toBeNull();
    expect(await t.readFile(join(dir, 'plain', 'below'))).toBeNull();
    expect(await t.stat(join(dir, 'missing'))).toBeNull();
    expect(await t.stat(join(dir, 'plain', 'below'))).toBeNull();
  });

  it('refuses to read a directory and stats it as one', async () => {
    await expect(t.readFile(dir)).rejects.toThrow(/cannot read/);
    expect((await t.stat(dir))?.type).toBe('directory');
    expect((await t.stat(join(dir, 'small')))?.size).toBeGreaterThan(0);
  });
});
