import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { PlanFailure } from '../../../src/modules/builtin/support/failure.js';
import { resolveMode } from '../../../src/modules/builtin/support/mode.js';
import { shellGlob, shellJoin, splitWords } from '../../../src/modules/builtin/support/shell.js';

const dir = mkdtempSync(join(tmpdir(), 'ovnctl-support-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the real chmod(1) makes of a symbolic mode, starting from `start`. */
function chmodOracle(spec: string, start: number, isDir: boolean): number {
  const path = join(dir, isDir ? 'd' : 'f');
  rmSync(path, { recursive: true, force: true });
  if (isDir) mkdirSync(path);
  else writeFileSync(path, '');
  chmodSync(path, start);
  execFileSync('chmod', [spec, path]);
  return statSync(path).mode & 0o7777;
}

describe('resolveMode', () => {
  it.each([
    ['u=rw,g=r,o=', 0o755, false],
    ['u+x,g-w', 0o664, false],
    ['a+X', 0o644, false],
    ['a+X', 0o744, false],
    ['a+X', 0o700, true],
    ['go=u', 0o640, false],
    ['u=rwx,g=rx,o=', 0o777, true],
    ['ug+s,o+t', 0o755, true],
    ['a-w', 0o666, false],
    ['u=r,u+w', 0o000, false],
  ] as const)('%s from %o (dir %s) matches chmod(1)', (spec, start, isDir) => {
    expect(resolveMode(spec, start, isDir).toString(8)).toBe(chmodOracle(spec, start, isDir).toString(8));
  });

  it('reads octal strings and YAML-1.1 integers', () => {
    expect(resolveMode('0644', 0, false)).toBe(0o644);
    expect(resolveMode('644', 0, false)).toBe(0o644);
    expect(resolveMode('0o2750', 0, true)).toBe(0o2750);
    expect(resolveMode(420, 0, false)).toBe(0o644);
  });

  it('rejects an integer that can only be a mistyped octal', () => {
    expect(() => resolveMode(644, 0, false)).toThrow(PlanFailure);
    expect(() => resolveMode(644, 0, false)).toThrow("mode: '0644'");
    expect(() => resolveMode('u=banana', 0, false)).toThrow('not a valid octal or symbolic mode');
  });
});

describe('shell quoting', () => {
  const echo = (command: string): string[] => {
    const out = execFileSync('/bin/sh', ['-c', `for w in ${command}; do printf '%s\\0' "$w"; done`], {
      encoding: 'utf8',
    });
    return out.split('\0').slice(0, -1);
  };

  it('shellJoin survives /bin/sh for any words', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((s) => !s.includes('\0')),
          { minLength: 1, maxLength: 4 },
        ),
        (words) => {
          expect(echo(shellJoin(words))).toEqual(words);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('splitWords follows POSIX shell word splitting for quotes and escapes', () => {
    const line = `a 'b c' "d \\"e\\" $f" g\\ h ''`;
    expect(splitWords(line)).toEqual(echo(`${line.replace('$f', '\\$f')}`));
    expect(splitWords(line)).toEqual(['a', 'b c', 'd "e" $f', 'g h', '']);
  });

  it('shellGlob keeps wildcards live and everything else literal', () => {
    writeFileSync(join(dir, 'x $y.pem'), '');
    const pattern = join(dir, 'x $y*.pem');
    expect(execFileSync('/bin/sh', ['-c', `ls ${shellGlob(pattern)}`], { encoding: 'utf8' }).trim()).toBe(
      join(dir, 'x $y.pem'),
    );
  });
});
