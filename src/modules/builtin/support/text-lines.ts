/** Lines with their line endings kept, like Python's `splitlines(True)` for `\n` files. */
export function splitKeepEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\n') {
      lines.push(text.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

export function withoutEol(line: string): string {
  return line.replace(/\r?\n$/, '');
}

/** A user regular expression (Python syntax is close enough for the patterns used in practice). */
export function compilePattern(pattern: string, what: string, fail: (m: string) => never): RegExp {
  try {
    return new RegExp(pattern);
  } catch {
    return fail(`${what} '${pattern}' is not a valid regular expression`);
  }
}
