import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { BUILTIN_NAMES } from './builtin-names.js';

const schemaDir = fileURLToPath(new URL('../../../schemas/modules/', import.meta.url));

const load = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(schemaDir, `${name}.json`), 'utf8')) as Record<string, unknown>;

describe('built-in module schemas', () => {
  it.each(BUILTIN_NAMES)('%s compiles in strict mode and closes its argument set', (name) => {
    const schema = load(name);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.additionalProperties).toBe(false);
    const ajv = new Ajv({ strict: true, strictTypes: false });
    expect(() => ajv.compile(schema)).not.toThrow();
  });

  it('accepts the mode forms Ansible accepts and rejects the rest', () => {
    const validate = new Ajv({ strict: false }).compile(load('file'));
    for (const mode of ['0644', '644', '0o755', '2750', 'u=rw,g=r,o=', 'a+X', 'go=u', 420]) {
      expect(validate({ path: '/x', mode }), String(mode)).toBe(true);
    }
    for (const mode of ['rw-r--r--', '0999', 'preserve', -1, 5000, '']) {
      expect(validate({ path: '/x', mode }), String(mode)).toBe(false);
    }
    expect(new Ajv({ strict: false }).compile(load('copy'))({ dest: '/x', src: 'a', mode: 'preserve' })).toBe(
      true,
    );
  });
});
