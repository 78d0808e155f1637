/**
 * sha256 and remove without a process on the host where SFTP can do it: small files are read and
 * hashed on the controller, large ones still go through sha256sum; files and links are unlinked
 * over SFTP, directories still through rm -rf. The results must be those of the shell tools.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh/index.js';
import type { Transport } from '../../../src/transport/types.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { rigSettings } from './helpers.js';

let rig: Rig;
let t: Transport;
const host = (p: string) => join(rig.hostRoot(0), p);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  rig = await startRig({ hosts: 1, net: 4, baseOctet: 40 });
  t = createSshTransport(rigSettings(rig, 0));
  await t.connect();
});

afterAll(async () => {
  await t?.close();
  await rig?.stop();
});

describe('sha256 and remove over SFTP', () => {
  it('hashes small, empty, large and linked files as sha256sum does; null for the rest', async () => {
    const small = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n');
    const large = Buffer.alloc(3 * 1024 * 1024 + 5, 7);
    writeFileSync(host('/etc/ovn/small.pem'), small);
    writeFileSync(host('/etc/ovn/empty'), '');
    writeFileSync(host('/etc/ovn/large.bin'), large);
    symlinkSync('small.pem', host('/etc/ovn/link.pem'));
    mkdirSync(host('/etc/ovn/dir'));
    const paths = ['/etc/ovn/small.pem', '/etc/ovn/empty', '/etc/ovn/large.bin', '/etc/ovn/link.pem'];
    const got = await t.sha256([...paths, '/etc/ovn/missing', '/etc/ovn/dir', '/etc/ovn/small.pem']);
    expect(got.get('/etc/ovn/small.pem')).toBe(sha(small));
    expect(got.get('/etc/ovn/empty')).toBe(sha(Buffer.alloc(0)));
    expect(got.get('/etc/ovn/large.bin')).toBe(sha(large));
    expect(got.get('/etc/ovn/link.pem')).toBe(sha(small));
    expect(got.get('/etc/ovn/missing')).toBeNull();
    expect(got.get('/etc/ovn/dir')).toBeNull();
    // The host's own sha256sum agrees on every file.
    const tool = execFileSync(
      'sha256sum',
      paths.map((p) => host(p)),
      { encoding: 'utf8' },
    );
    for (const p of paths) expect(tool).toContain(`${got.get(p)}  ${host(p)}`);
  });

  it('removes a file, a link (not its target), a missing path and a directory tree', async () => {
    writeFileSync(host('/etc/haproxy/target'), 'keep me');
    symlinkSync('target', host('/etc/haproxy/link'));
    writeFileSync(host('/etc/haproxy/file'), 'x');
    mkdirSync(host('/etc/haproxy/tree/sub'), { recursive: true });
    writeFileSync(host('/etc/haproxy/tree/sub/f'), 'x');
    for (const p of ['/etc/haproxy/link', '/etc/haproxy/file', '/etc/haproxy/none', '/etc/haproxy/tree'])
      await t.remove(p);
    expect(existsSync(host('/etc/haproxy/file'))).toBe(false);
    expect(() => lstatSync(host('/etc/haproxy/link'))).toThrow();
    expect(existsSync(host('/etc/haproxy/tree'))).toBe(false);
    expect(existsSync(host('/etc/haproxy/target'))).toBe(true);
  });
});
