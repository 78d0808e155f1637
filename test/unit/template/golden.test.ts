import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { OMIT, renderString } from '../../../src/template/index.js';
import { UnsafeText } from '../../../src/yaml/tags.js';

/** One case as recorded from ansible-core by scripts/golden/gen-template-golden.py. */
interface GoldenCase {
  name: string;
  template: string;
  vars: Record<string, unknown>;
  result?: unknown;
  type?: string;
  error?: boolean;
  /** Rendered as the template module renders a file. */
  module?: boolean;
  ansible_error?: string;
}

const file = fileURLToPath(new URL('../../golden/template-golden.json', import.meta.url));
const cases = JSON.parse(readFileSync(file, 'utf8')) as GoldenCase[];

/** The recorder writes !unsafe vars as {"__unsafe__": text} and the omit placeholder as {"__omit__": true}. */
function revive(v: unknown, marker: '__unsafe__' | '__omit__'): unknown {
  if (Array.isArray(v)) return v.map((x) => revive(x, marker));
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    if (marker === '__unsafe__' && Object.keys(o).length === 1 && typeof o.__unsafe__ === 'string') {
      return new UnsafeText(o.__unsafe__);
    }
    if (marker === '__omit__' && Object.keys(o).length === 1 && o.__omit__ === true) return OMIT;
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, revive(x, marker)]));
  }
  return v;
}

/** The Python type name ansible-core's result had, as far as JS values can tell. */
function pythonType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (v === OMIT || typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'dict';
  return typeof v;
}

describe('templates match ansible-core (golden)', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
  });

  for (const c of cases) {
    it(c.name, () => {
      const vars = revive(c.vars, '__unsafe__') as Record<string, unknown>;
      const opts = c.module ? { escapeBackslashes: false, convertData: false } : {};
      if (c.error) {
        let thrown: unknown;
        try {
          renderString(c.template, vars, opts);
        } catch (e) {
          thrown = e;
        }
        expect(thrown, `ansible failed with ${c.ansible_error}`).toBeInstanceOf(OvnctlError);
        expect(['undefined-variable', 'template']).toContain((thrown as OvnctlError).code);
        return;
      }
      const result = renderString(c.template, vars, opts);
      expect(result).toStrictEqual(revive(c.result, '__omit__'));
      expect(pythonType(result)).toBe(c.type);
    });
  }
});
