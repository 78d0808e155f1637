import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModuleRegistry } from '../../../src/modules/registry.js';
import { defineModule } from '../../../src/modules/types.js';
import { ValidatorCache } from '../../../src/modules/validator-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'ovnctl-validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHEMA = JSON.stringify({
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: { name: { type: 'string', minLength: 1 }, port: { type: 'integer' } },
});

/** What a validator makes of some inputs: accepted, coerced port, first error keyword. */
function behaviour(v: ReturnType<ValidatorCache['get']>) {
  const coerced: Record<string, unknown> = { name: 'a', port: '30' };
  return {
    ok: v(coerced),
    port: coerced.port,
    missing: v({ port: 1 }) ? null : v.errors?.[0]?.keyword,
    extra: v({ name: 'a', other: 1 }) ? null : v.errors?.[0]?.keyword,
    empty: v({ name: '' }) ? null : v.errors?.[0]?.keyword,
  };
}

const want = { ok: true, port: 30, missing: 'required', extra: 'additionalProperties', empty: 'minLength' };

describe('compiled validator cache', () => {
  it('compiles, stores the code, and a later run loads it with the same behaviour', () => {
    const cacheDir = join(dir, 'a');
    expect(behaviour(new ValidatorCache(cacheDir).get('demo', SCHEMA))).toEqual(want);
    const files = readdirSync(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^demo-[0-9a-f]{24}\.cjs$/);
    expect(behaviour(new ValidatorCache(cacheDir).get('demo', SCHEMA))).toEqual(want);
    expect(readdirSync(cacheDir)).toEqual(files);
  });

  it('keys the file by the schema text: a changed schema is compiled anew', () => {
    const cacheDir = join(dir, 'b');
    new ValidatorCache(cacheDir).get('demo', SCHEMA);
    const stricter = SCHEMA.replace('"minLength":1', '"minLength":3');
    const v = new ValidatorCache(cacheDir).get('demo', stricter);
    expect(v({ name: 'ab' })).toBe(false);
    expect(readdirSync(cacheDir)).toHaveLength(2);
  });

  it('replaces a damaged cache file and works without a writable directory', () => {
    const cacheDir = join(dir, 'c');
    new ValidatorCache(cacheDir).get('demo', SCHEMA);
    const [file] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, file as string), 'module.exports = ;');
    expect(behaviour(new ValidatorCache(cacheDir).get('demo', SCHEMA))).toEqual(want);
    expect(behaviour(new ValidatorCache(join(cacheDir, file as string)).get('demo', SCHEMA))).toEqual(want);
    expect(behaviour(new ValidatorCache(undefined).get('demo', SCHEMA))).toEqual(want);
  });

  it('backs the registry: cached and fresh validators report the same error', () => {
    const def = defineModule<{ msg: string }>({
      name: 'debug',
      schema: 'debug',
      plan: async () => ({ steps: [] }),
    });
    const cacheDir = join(dir, 'd');
    const errorOf = (r: ModuleRegistry) => {
      try {
        r.validate('debug', { bogus: 1 }, undefined);
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    const first = errorOf(new ModuleRegistry([def as never], { validatorCacheDir: cacheDir }));
    expect(readdirSync(cacheDir)).toHaveLength(1);
    expect(errorOf(new ModuleRegistry([def as never], { validatorCacheDir: cacheDir }))).toBe(first);
    expect(first).toMatch(/unsupported argument 'bogus'/);
  });
});
