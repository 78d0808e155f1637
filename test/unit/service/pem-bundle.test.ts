import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pemBundleModule } from '../../../src/modules/service/pem-bundle.js';
import type { Step } from '../../../src/modules/types.js';
import { LocalTransport } from '../../../src/transport/local.js';
import { planContext } from './context.js';

let dir: string;
const CERT = '-----BEGIN CERTIFICATE-----\nQUJD\n-----END CERTIFICATE-----';
const CHAIN = '-----BEGIN CERTIFICATE-----\nREVG\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nR0hJ\n-----END PRIVATE KEY-----\n';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ovnctl-pembundle-'));
  // The certificate lacks its final newline: the bundle must not glue END and BEGIN together.
  await writeFile(join(dir, 'cert.crt'), CERT);
  await writeFile(join(dir, 'chain.crt'), CHAIN);
  await writeFile(join(dir, 'key.pem'), KEY);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function apply(steps: Step[]): Promise<void> {
  const t = new LocalTransport('localhost');
  for (const s of steps) {
    if (s.kind === 'write') await t.writeFileAtomic(s.path, s.content, { mode: s.mode });
    else if (s.kind === 'mkdir') await t.mkdir(s.path, { mode: s.mode });
    else if (s.kind === 'attributes')
      await t.setAttributes(s.path, s.mode === undefined ? {} : { mode: s.mode });
  }
}

describe('pem_bundle', () => {
  const params = () => ({
    dest: join(dir, 'out/site.pem'),
    sources: [join(dir, 'cert.crt'), join(dir, 'chain.crt'), join(dir, 'key.pem')],
  });

  it('writes certificate, chain and key, each on its own lines, 0600 and sensitive; then nothing', async () => {
    const first = await pemBundleModule.plan(params(), planContext());
    expect(first.failed).toBeUndefined();
    const write = first.steps.find((s) => s.kind === 'write') as Step & { kind: 'write' };
    expect(write.content.toString()).toBe(`${CERT}\n${CHAIN}${KEY}`);
    expect(write.mode).toBe(0o600);
    expect(write.sensitive).toBe(true);
    expect(first.steps.map((s) => s.kind)).toEqual(['mkdir', 'write']);
    await apply(first.steps);
    expect((await stat(params().dest)).mode & 0o777).toBe(0o600);
    const again = await pemBundleModule.plan(params(), planContext());
    expect(again.steps).toEqual([]);
  });

  it('fixes a drifted mode without rewriting', async () => {
    const t = new LocalTransport('localhost');
    await t.setAttributes(params().dest, { mode: 0o644 });
    const p = await pemBundleModule.plan(params(), planContext());
    expect(p.steps.map((s) => s.kind)).toEqual(['attributes']);
  });

  it('fails without a private key, with a world-readable mode, or with a missing source', async () => {
    const noKey = await pemBundleModule.plan(
      { ...params(), sources: [join(dir, 'cert.crt')] },
      planContext(),
    );
    expect(noKey.failed).toContain('holds a private key');
    const open = await pemBundleModule.plan({ ...params(), mode: '0644' }, planContext());
    expect(open.failed).toContain('must not be accessible to others');
    const missing = await pemBundleModule.plan(
      { ...params(), sources: [join(dir, 'nope.crt')] },
      planContext(),
    );
    expect(missing.failed).toBe(
      `pem_bundle ${params().dest}: ${join(dir, 'nope.crt')} does not exist on the controller`,
    );
  });

  it('in check mode, a source an earlier task would generate is not an error', async () => {
    const p = await pemBundleModule.plan(
      { ...params(), sources: [join(dir, 'nope.crt')] },
      planContext({ check: true }),
    );
    expect(p.failed).toBeUndefined();
    expect(p.steps[0]?.why).toMatch(/^would write /);
  });
});
