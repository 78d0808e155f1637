import { expect } from 'vitest';
import { main } from '../../src/cli/main.js';

/** Refusals of a whole file, which need no line. */
const WHOLE_FILE =
  /^ERROR: (expected a single YAML document, found several|a playbook must be a list of plays|cannot read )/;
/** Messages that betray a JavaScript error dressed up as a user error. */
const JS_LEAK =
  /\[object Object\]|is not a function|Cannot read propert|undefined is not|is not iterable|Maximum call stack/;

export interface Verdict {
  code: number;
  stderr: string;
}

/**
 * `ovnctl run play.yml -i inventory.yml --config-dir dir --syntax-check`, in this process: the
 * inventory, user_*.yml, -e and the playbook are loaded and checked exactly as a real run does
 * before it contacts the first host.
 */
export async function loadLikeRun(dir: string, extraVars: readonly string[] = []): Promise<Verdict> {
  let stderr = '';
  const code = await main(
    [
      'run',
      'play.yml',
      '-i',
      'inventory.yml',
      '--config-dir',
      dir,
      '--syntax-check',
      ...extraVars.flatMap((e) => ['-e', e]),
    ],
    {
      stdout: () => {},
      stderr: (t) => {
        stderr += t;
      },
      env: { PATH: process.env.PATH ?? '', HOME: dir },
      cwd: dir,
      isTTY: false,
    },
  );
  return { code, stderr };
}

/**
 * The contract for any input: accepted (0), or refused with exit 6 and `at <file>:<line>` naming
 * the file at fault (`culprit`), or 5 for a bad -e argument; never an internal error.
 */
export function expectClearVerdict(v: Verdict, culprit: (file: string) => boolean): void {
  expect([0, 5, 6], v.stderr).toContain(v.code);
  if (v.code === 0) return;
  expect(v.stderr).toMatch(/^ERROR: \S/);
  expect(v.stderr).not.toMatch(JS_LEAK);
  expect(v.stderr).not.toMatch(/^\s+at .*\.(ts|js):\d+:\d+\)?$/m); // no stack trace
  if (v.code === 6) {
    // A problem with the file as a whole (empty, several documents, unreadable) has no line.
    const at = (
      WHOLE_FILE.test(v.stderr)
        ? /\n {2}at ([^\n]+?)(?::(\d+)(:\d+)?)?( \(key: .*\))?\n/
        : /\n {2}at ([^\n]+?):(\d+)(:\d+)?( \(key: .*\))?\n/
    ).exec(v.stderr);
    expect(at, v.stderr).not.toBeNull();
    expect(culprit(at?.[1] ?? ''), v.stderr).toBe(true);
  } else {
    expect(v.stderr, 'only a bad -e argument is a usage error').toMatch(/--extra-vars|-e #\d/);
  }
}
