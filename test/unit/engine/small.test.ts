import { describe, expect, it } from 'vitest';
import { parseExtraVarsArg } from '../../../src/config/extra-vars.js';
import { serialBatches } from '../../../src/engine/batches.js';
import { unifiedDiff } from '../../../src/engine/diff.js';
import { selectedByTags } from '../../../src/engine/tags.js';
import { OvnctlError } from '../../../src/errors.js';
import { formatRecap } from '../../../src/report/recap.js';

describe('serial batches', () => {
  const hosts = ['a', 'b', 'c', 'd', 'e'];
  it('splits by count, percentage and list (last size repeats)', () => {
    expect(serialBatches(hosts, [])).toEqual([hosts]);
    expect(serialBatches(hosts, [2])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, ['40%'])).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(serialBatches(hosts, [1, 3])).toEqual([['a'], ['b', 'c', 'd'], ['e']]);
  });
});

describe('tag selection', () => {
  it('follows always/never/tagged/untagged', () => {
    expect(selectedByTags([], [], [])).toBe(true);
    expect(selectedByTags(['never'], [], [])).toBe(false);
    expect(selectedByTags(['never', 'x'], ['x'], [])).toBe(true);
    expect(selectedByTags(['always'], ['x'], [])).toBe(true);
    expect(selectedByTags(['always'], ['x'], ['always'])).toBe(false);
    expect(selectedByTags(['a'], ['b'], [])).toBe(false);
    expect(selectedByTags(['a'], ['tagged'], [])).toBe(true);
    expect(selectedByTags([], ['untagged'], [])).toBe(true);
    expect(selectedByTags(['a'], [], ['a'])).toBe(false);
  });
});

describe('extra vars', () => {
  it('parses k=v (strings), JSON and quoted values', () => {
    expect(parseExtraVarsArg("a=1 b='x y' c=true", 0, '/').vars).toEqual({ a: '1', b: 'x y', c: 'true' });
    expect(parseExtraVarsArg('{"a": 1, "b": [true]}', 0, '/').vars).toEqual({ a: 1, b: [true] });
  });
  it('rejects a bare path without @', () => {
    expect(() => parseExtraVarsArg('vars.yml', 0, '/')).toThrow(OvnctlError);
    expect(() => parseExtraVarsArg('vars.yml', 0, '/')).toThrow(/invalid --extra-vars/);
  });
});

describe('diff', () => {
  it('shows changed lines with context', () => {
    const d = unifiedDiff('/etc/x.cfg', 'a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(d.split('\n')).toEqual([
      '--- before: /etc/x.cfg',
      '+++ after: /etc/x.cfg',
      '@@ -1,3 +1,4 @@',
      ' a',
      '-b',
      '+B',
      ' c',
      '+d',
    ]);
    expect(unifiedDiff('/x', 'same\n', 'same\n')).toBe('');
  });
});

describe('recap', () => {
  it('uses Ansible layout', () => {
    const line = formatRecap({
      infra2: { ok: 2, changed: 1, unreachable: 0, failures: 1, skipped: 0, rescued: 0, ignored: 0 },
    }).split('\n')[1];
    expect(line).toBe(
      'infra2                     : ok=2    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0',
    );
  });
});
