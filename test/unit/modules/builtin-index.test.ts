import { describe, expect, it } from 'vitest';
import { builtinModules } from '../../../src/modules/builtin/index.js';
import { BUILTIN_NAMES } from './builtin-names.js';

describe('builtinModules', () => {
  it('registers every built-in module once, each with its own schema file', () => {
    expect(builtinModules.map((m) => m.name).sort()).toEqual(BUILTIN_NAMES);
    for (const m of builtinModules) expect(m.schema).toBe(m.name);
  });

  it('marks command and shell as free-form', () => {
    const freeForm = builtinModules.filter((m) => m.freeForm).map((m) => m.name);
    expect(freeForm.sort()).toEqual(['command', 'shell']);
  });
});
