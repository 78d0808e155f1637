import { compilePattern, splitKeepEnds, withoutEol } from './text-lines.js';

export interface LineEdit {
  line?: string | undefined;
  regexp?: string | undefined;
  present: boolean;
  /** 'EOF' (default), 'BOF' or a regex. */
  insertafter?: string | undefined;
  /** 'BOF' or a regex. */
  insertbefore?: string | undefined;
}

function lastIndex(lines: readonly string[], test: (line: string) => boolean): number {
  let found = -1;
  lines.forEach((l, i) => {
    if (test(l)) found = i;
  });
  return found;
}

function insertAt(lines: string[], edit: LineEdit, fail: (m: string) => never): number {
  const { insertafter, insertbefore } = edit;
  if (insertbefore === 'BOF' || insertafter === 'BOF') return 0;
  if (insertbefore !== undefined) {
    const re = compilePattern(insertbefore, 'insertbefore', fail);
    const i = lastIndex(lines, (l) => re.test(l));
    return i < 0 ? lines.length : i;
  }
  if (insertafter !== undefined && insertafter !== 'EOF') {
    const re = compilePattern(insertafter, 'insertafter', fail);
    const i = lastIndex(lines, (l) => re.test(l));
    return i < 0 ? lines.length : i + 1;
  }
  return lines.length;
}

/**
 * The text after lineinfile's basic edit: with `regexp`, the last matching line is replaced (or,
 * for absent, every matching line removed); without it the exact line is looked for. A line not
 * found is inserted after the last `insertafter` match (or before the last `insertbefore` match),
 * at the end by default.
 */
export function editLine(original: string, edit: LineEdit, fail: (m: string) => never): string {
  const lines = splitKeepEnds(original);
  const re = edit.regexp === undefined ? undefined : compilePattern(edit.regexp, 'regexp', fail);
  const matches = (l: string): boolean => (re ? re.test(l) : withoutEol(l) === edit.line);

  if (!edit.present) return lines.filter((l) => !matches(l)).join('');

  const line = edit.line ?? '';
  const wanted = `${line}\n`;
  const matched = re ? lastIndex(lines, (l) => re.test(l)) : -1;
  if (matched >= 0) {
    lines[matched] = wanted;
    return lines.join('');
  }
  if (lines.some((l) => withoutEol(l) === line)) return original;
  const at = insertAt(lines, edit, fail);
  const prev = lines[at - 1];
  if (prev !== undefined && !prev.endsWith('\n')) lines[at - 1] = `${prev}\n`;
  lines.splice(at, 0, wanted);
  return lines.join('');
}
