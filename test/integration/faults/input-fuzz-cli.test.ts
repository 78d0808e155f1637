/**
 * The real `ovnctl run` on fuzzed input the loader refuses: the same exit code (6, or 5 for -e)
 * and message as the in-process check, and not one connection to the inventory's hosts, which
 * point at a silent listener that counts who connects.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOvnctl } from '../../helpers/cli-process.js';
import { expectClearVerdict, loadLikeRun } from '../../helpers/load-verdict.js';
import { listenSilently, type SilentListener } from '../../helpers/tcp-listener.js';
import { makeTree } from '../../helpers/tmp.js';
import {
  inputArb,
  SEED_EXTRA_VARS,
  SEED_INVENTORY,
  SEED_PLAYBOOK,
  SEED_USER_VARS,
} from '../../helpers/yaml-mutations.js';

// The seeds' hosts are 127.0.2.250:2299.
const ADDRESS = '127.0.2.250';
const PORT = 2299;
const SEEDS = {
  'inventory.yml': SEED_INVENTORY,
  'play.yml': SEED_PLAYBOOK,
  'user_variables.yml': SEED_USER_VARS,
};
const PER_KIND = 8;

let listener: SilentListener;
let tree: { dir: string; cleanup: () => void };

beforeAll(async () => {
  listener = await listenSilently(ADDRESS, PORT);
  tree = makeTree({ ...SEEDS, 'home/.ssh/.keep': '' });
  // A key to log in with, so that a run that does reach for a host gets as far as its socket.
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(tree.dir, 'id')]);
});
afterAll(async () => {
  await listener?.stop();
  tree?.cleanup();
});

function restore(): void {
  for (const [f, text] of Object.entries(SEEDS)) writeFileSync(join(tree.dir, f), text);
}

const cli = (extra: string[] = []) =>
  runOvnctl(
    [
      'run',
      'play.yml',
      '-i',
      'inventory.yml',
      '--config-dir',
      tree.dir,
      '-T',
      '2',
      '--private-key',
      join(tree.dir, 'id'),
      ...extra,
    ],
    {
      cwd: tree.dir,
      env: { HOME: join(tree.dir, 'home') },
    },
  );

/** Inputs the in-process loader refuses, `count` of them, reproducibly. */
async function refused(arb: fc.Arbitrary<string>, count: number, write: (t: string) => string[]) {
  const out: { text: string; code: number; stderr: string }[] = [];
  for (const text of fc.sample(arb, { numRuns: 200, seed: 7 })) {
    const extra = write(text);
    const v = await loadLikeRun(tree.dir, extra);
    if (v.code !== 0) out.push({ text, ...v });
    if (out.length === count) break;
  }
  restore();
  return out;
}

describe('ovnctl run on refused input contacts no host', () => {
  it('the counter works: a valid playbook that gathers facts does connect', async () => {
    restore();
    writeFileSync(
      join(tree.dir, 'play.yml'),
      SEED_PLAYBOOK.replace('gather_facts: false', 'gather_facts: true'),
    );
    const r = await cli();
    restore();
    expect(r.code, r.stdout + r.stderr).toBe(4);
    expect(listener.connections()).toBeGreaterThan(0);
  });

  for (const file of Object.keys(SEEDS) as (keyof typeof SEEDS)[]) {
    it(`fuzzed ${file}: exit code and message as in-process, zero connections`, async () => {
      const cases = await refused(inputArb(SEEDS[file]), PER_KIND, (t) => {
        writeFileSync(join(tree.dir, file), t);
        return [];
      });
      expect(cases.length).toBe(PER_KIND);
      const before = listener.connections();
      for (const c of cases) {
        writeFileSync(join(tree.dir, file), c.text);
        const r = await cli();
        expect({ code: r.code, stderr: r.stderr }, c.text).toEqual({ code: c.code, stderr: c.stderr });
        expectClearVerdict(r, (f) => f.endsWith(`/${file}`));
        expect(r.stdout).toBe('');
      }
      restore();
      expect(listener.connections()).toBe(before);
    });
  }

  it('fuzzed -e: exit code and message as in-process, zero connections', async () => {
    const arb = fc.oneof(...SEED_EXTRA_VARS.map((s) => inputArb(s)));
    const cases = await refused(arb, PER_KIND, (t) => [t]);
    expect(cases.length).toBe(PER_KIND);
    const before = listener.connections();
    for (const c of cases) {
      const r = await cli(['-e', c.text]);
      expect({ code: r.code, stderr: r.stderr }, c.text).toEqual({ code: c.code, stderr: c.stderr });
    }
    expect(listener.connections()).toBe(before);
  });
});
