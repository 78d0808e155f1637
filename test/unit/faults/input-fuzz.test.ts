/**
 * Random and mutated inventories, user_*.yml files, playbooks and -e arguments, loaded the way
 * `ovnctl run` loads them (in-process `main`, `--syntax-check`: everything up to the first host
 * contact): never an internal error, and every refusal is exit 6 (or 5 for a bad -e) with
 * the file and line at fault.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { expectClearVerdict, loadLikeRun } from '../../helpers/load-verdict.js';
import { makeTree } from '../../helpers/tmp.js';
import {
  inputArb,
  SEED_EXTRA_VARS,
  SEED_INVENTORY,
  SEED_PLAYBOOK,
  SEED_USER_VARS,
} from '../../helpers/yaml-mutations.js';

const tree = makeTree({
  'inventory.yml': SEED_INVENTORY,
  'play.yml': SEED_PLAYBOOK,
  'user_variables.yml': SEED_USER_VARS,
});
afterAll(() => tree.cleanup());

// OVNCTL_FUZZ_SEED / OVNCTL_FUZZ_RUNS explore further than CI does (the seed keeps CI reproducible).
const FUZZ = {
  numRuns: Number(process.env.OVNCTL_FUZZ_RUNS ?? 300),
  seed: Number(process.env.OVNCTL_FUZZ_SEED ?? 20_240_611),
};

const FILES = { inventory: 'inventory.yml', playbook: 'play.yml', user: 'user_variables.yml' } as const;
const SEEDS = { inventory: SEED_INVENTORY, playbook: SEED_PLAYBOOK, user: SEED_USER_VARS };
function restoreSeeds(): void {
  for (const [k, f] of Object.entries(FILES))
    writeFileSync(join(tree.dir, f), SEEDS[k as keyof typeof SEEDS]);
}

describe('fuzzed input never crashes ovnctl and always says where it is wrong', () => {
  it("the seeds themselves load (so a refusal below is the mutation's doing)", async () => {
    restoreSeeds();
    for (const e of SEED_EXTRA_VARS)
      expect(await loadLikeRun(tree.dir, [e])).toEqual({ code: 0, stderr: '' });
  });

  for (const kind of ['inventory', 'playbook', 'user'] as const) {
    it(`mutated and random ${FILES[kind]}`, async () => {
      restoreSeeds();
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(inputArb(SEEDS[kind]), async (text) => {
          writeFileSync(join(tree.dir, FILES[kind]), text);
          const v = await loadLikeRun(tree.dir);
          expectClearVerdict(v, (f) => f.endsWith(`/${FILES[kind]}`));
          if (v.code !== 0) refused++;
        }),
        FUZZ,
      );
      restoreSeeds();
      // Most mutations break the input: the property was exercised on refusals, not only on valid files.
      expect(refused).toBeGreaterThan(100);
    });
  }

  it('mutated and random -e arguments', async () => {
    restoreSeeds();
    const arg = fc.oneof(...SEED_EXTRA_VARS.map((s) => inputArb(s)), fc.string({ maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(arg, async (e) => {
        expectClearVerdict(await loadLikeRun(tree.dir, [e]), (f) => f === '-e #1' || f.startsWith(tree.dir));
      }),
      FUZZ,
    );
  });
});
