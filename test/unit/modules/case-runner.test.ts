import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { ModuleDefinition, Plan, PlanContext, Step } from '../../../src/modules/types.js';
import { FakeFacts, type ScriptedHost } from './fake-facts.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const casesDir = join(here, 'cases');
const schemaDir = join(here, '../../../schemas/modules');

type ExpectedStep = Record<string, unknown>;

interface ModuleCase {
  description?: string;
  args: Record<string, unknown>;
  vars?: Record<string, unknown>;
  facts?: ScriptedHost;
  controller?: ScriptedHost;
  check?: boolean;
  expect: {
    schemaError?: boolean;
    steps?: ExpectedStep[];
    failed?: string;
    skipped?: string;
    msg?: string;
    facts?: Record<string, unknown>;
    result?: Record<string, unknown>;
    warnings?: string[];
  };
}

/** Fields compared even when the expectation omits them (omitted = must be absent). */
const STRICT_FIELDS = ['kind', 'path', 'mode', 'owner', 'group', 'command', 'stdin', 'sensitive'];

function normalise(step: Step): Record<string, unknown> {
  const out: Record<string, unknown> = { ...step };
  for (const key of ['content', 'before']) {
    const v = out[key];
    if (Buffer.isBuffer(v)) out[key] = v.toString('utf8');
  }
  if (typeof out.mode === 'number') out.mode = `0${out.mode.toString(8).padStart(3, '0')}`;
  return out;
}

function checkSteps(actual: Step[], expected: ExpectedStep[]): void {
  const got = actual.map(normalise);
  expect(got.length, `steps: ${JSON.stringify(got.map((s) => s.why))}`).toBe(expected.length);
  expected.forEach((want, i) => {
    const step = got[i] ?? {};
    for (const key of new Set([...STRICT_FIELDS, ...Object.keys(want)])) {
      if (key === 'whyContains') {
        expect(String(step.why)).toContain(String(want.whyContains));
        continue;
      }
      expect(step[key], `step ${i} field ${key}`).toEqual(want[key]);
    }
  });
}

async function loadModule(name: string): Promise<ModuleDefinition<unknown>> {
  // Imported one by one so that a module whose dependency is missing fails only its own cases.
  const file = join(here, '../../../src/modules/builtin', `${name}.ts`);
  const mod = (await import(/* @vite-ignore */ file)) as Record<string, unknown>;
  const def = Object.values(mod).find(
    (v): v is ModuleDefinition<unknown> =>
      typeof v === 'object' && v !== null && (v as { name?: unknown }).name === name && 'plan' in v,
  );
  if (!def) throw new Error(`src/modules/builtin/${name}.ts exports no module named ${name}`);
  return def;
}

function context(c: ModuleCase): PlanContext {
  return {
    host: 'node1',
    target: new FakeFacts('node1', c.facts ?? {}),
    controller: new FakeFacts('controller', c.controller ?? {}),
    vars: { inventory_hostname: 'node1', playbook_dir: '/play', ...c.vars },
    check: c.check ?? false,
    now: () => new Date('2025-01-01T00:00:00Z'),
    configDir: '/config',
    secret: () => {},
  };
}

function checkPlan(plan: Plan, want: ModuleCase['expect']): void {
  if (want.failed !== undefined) expect(plan.failed ?? '(did not fail)').toContain(want.failed);
  else expect(plan.failed, 'unexpected failure').toBeUndefined();
  if (want.skipped !== undefined) expect(plan.skipped ?? '(not skipped)').toContain(want.skipped);
  else expect(plan.skipped, 'unexpected skip').toBeUndefined();
  if (want.steps !== undefined) checkSteps(plan.steps, want.steps);
  if (want.msg !== undefined) expect(plan.msg ?? '(no msg)').toContain(want.msg);
  if (want.facts !== undefined) expect(plan.facts).toEqual(want.facts);
  if (want.result !== undefined) expect(plan.result).toMatchObject(want.result);
  if (want.warnings !== undefined) expect(plan.warnings ?? []).toEqual(want.warnings);
}

const ajv = new Ajv({ allErrors: true, strict: false });

/**
 * Cases write `@@private-key@@` (or `@@private-key-<tag>@@`) where a PEM private key belongs: the
 * key is made when the case loads, one per tag, so no key material is kept in the repository.
 */
const generatedKeys = new Map<string, string>();
function withGeneratedKeys(json: string): string {
  return json.replace(/@@private-key(-[a-z]+)?@@/g, (tag) => {
    let pem = generatedKeys.get(tag);
    if (!pem) {
      pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
      generatedKeys.set(tag, pem);
    }
    return JSON.stringify(pem).slice(1, -1);
  });
}

for (const name of readdirSync(casesDir).sort()) {
  describe(`module ${name}`, () => {
    const validate = ajv.compile(JSON.parse(readFileSync(join(schemaDir, `${name}.json`), 'utf8')) as object);
    const files = readdirSync(join(casesDir, name)).filter((f) => f.endsWith('.json'));
    for (const file of files.sort()) {
      const c = JSON.parse(withGeneratedKeys(readFileSync(join(casesDir, name, file), 'utf8'))) as ModuleCase;
      it(`${file}${c.description ? `: ${c.description}` : ''}`, async () => {
        const valid = validate(c.args);
        if (c.expect.schemaError) {
          expect(valid, 'arguments should be rejected by the schema').toBe(false);
          return;
        }
        expect(valid, JSON.stringify(validate.errors)).toBe(true);
        const def = await loadModule(name);
        checkPlan(await def.plan(c.args, context(c)), c.expect);
      });
    }
  });
}
