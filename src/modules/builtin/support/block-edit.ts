import { compilePattern, splitKeepEnds } from './text-lines.js';

export interface BlockEdit {
  block: string;
  present: boolean;
  markerBegin: string;
  markerEnd: string;
  /** 'EOF' or a regex; used when insertbefore is not given. */
  insertafter?: string | undefined;
  /** 'BOF' or a regex. */
  insertbefore?: string | undefined;
}

function lastMatch(lines: readonly string[], re: RegExp): number {
  let match = -1;
  lines.forEach((line, i) => {
    if (re.test(line)) match = i;
  });
  return match;
}

function insertionPoint(lines: readonly string[], edit: BlockEdit, fail: (m: string) => never): number {
  if (edit.insertbefore !== undefined) {
    if (edit.insertbefore === 'BOF') return 0;
    const i = lastMatch(lines, compilePattern(edit.insertbefore, 'insertbefore', fail));
    return i < 0 ? lines.length : i;
  }
  const after = edit.insertafter ?? 'EOF';
  if (after === 'EOF') return lines.length;
  const i = lastMatch(lines, compilePattern(after, 'insertafter', fail));
  return i < 0 ? lines.length : i + 1;
}

/**
 * The text after placing (or removing) the marked block, following Ansible's blockinfile: an
 * existing block is replaced in place; otherwise the block goes after the last line matching
 * `insertafter` (or before the last line matching `insertbefore`), falling back to the end.
 */
export function editBlock(original: string, edit: BlockEdit, fail: (m: string) => never): string {
  const lines = splitKeepEnds(original);
  const begin = `${edit.markerBegin}\n`;
  const end = `${edit.markerEnd}\n`;
  let block = edit.block;
  if (block !== '' && !block.endsWith('\n')) block += '\n';
  const blockLines = edit.present && block !== '' ? [begin, ...splitKeepEnds(block), end] : [];

  let n0: number | undefined;
  let n1: number | undefined;
  lines.forEach((line, i) => {
    if (line === begin) n0 = i;
    if (line === end) n1 = i;
  });

  let at: number;
  if (n0 !== undefined && n1 !== undefined) {
    at = Math.min(n0, n1);
    lines.splice(at, Math.abs(n1 - n0) + 1);
  } else {
    at = insertionPoint(lines, edit, fail);
  }
  // The line before an inserted block must end with a newline.
  const prev = lines[at - 1];
  if (blockLines.length > 0 && prev !== undefined && !prev.endsWith('\n')) lines[at - 1] = `${prev}\n`;
  lines.splice(at, 0, ...blockLines);
  return lines.join('');
}
