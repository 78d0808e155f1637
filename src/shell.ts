import { OvnctlError } from './errors.js';

const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** POSIX single-quoting: a safe word stays bare; works for any string without NUL. */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new OvnctlError('invalid-input', 'a shell argument contains a NUL byte');
  if (SAFE_WORD.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/** Thrown for an unbalanced quote; callers turn it into their own kind of failure. */
export class UnbalancedQuoteError extends Error {}

/**
 * Split like a POSIX shell (what Ansible's `command`, `validate` and ssh's argument parsing do):
 * whitespace separates, quotes group, a backslash escapes; no expansion of any kind.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1] as string))
        word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new UnbalancedQuoteError(`unbalanced ${quote} quote`);
  if (inWord) words.push(word);
  return words;
}
