import { describe, expect, it } from 'vitest';
import { addYamlInventory, emptyInventory, finishInventory } from '../../../src/inventory/parse.js';
import { matchPattern } from '../../../src/inventory/patterns.js';
import { parseYaml } from '../../../src/yaml/load.js';

const inv = emptyInventory();
addYamlInventory(
  inv,
  parseYaml(
    `all:
  children:
    web:
      hosts: {web1: , web2: , web3: }
    db:
      hosts: {db1: , web3: }
    prod:
      hosts: {web1: , db1: }
`,
    'inv.yml',
  ),
);
finishInventory(inv);

describe('host patterns (--limit and hosts:)', () => {
  const cases: [string, string[]][] = [
    ['all', ['web1', 'web2', 'web3', 'db1']],
    ['*', ['web1', 'web2', 'web3', 'db1']],
    ['web', ['web1', 'web2', 'web3']],
    ['web,db', ['web1', 'web2', 'web3', 'db1']],
    ['web:db', ['web1', 'web2', 'web3', 'db1']],
    ['web,!db', ['web1', 'web2']],
    ['web,&prod', ['web1']],
    ['all,!web3,&prod', ['web1', 'db1']],
    ['web*', ['web1', 'web2', 'web3']],
    ['~web[12]', ['web1', 'web2']],
    ['web[0]', ['web1']],
    ['web[-1]', ['web3']],
    ['web[0:1]', ['web1', 'web2']],
    ['db1', ['db1']],
    ['nomatch', []],
  ];
  for (const [pattern, expected] of cases) {
    it(`${pattern} -> ${expected.join(',') || '(none)'}`, () => {
      expect(matchPattern(inv, pattern)).toEqual(expected);
    });
  }
});
