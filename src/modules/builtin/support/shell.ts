import { fail } from './failure.js';

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One shell word: bare when safe, otherwise single-quoted. */
export function shellQuote(word: string): string {
  if (SAFE.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

/**
 * POSIX shlex-style split (what Ansible's `command` and `validate` do): whitespace separates,
 * quotes group, a backslash escapes; no expansion of any kind.
 */
export function splitWords(text: string): string[] {
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
  if (quote) fail(`unbalanced ${quote} quote in command: ${text}`);
  if (inWord) words.push(word);
  return words;
}

/** A glob made safe for the shell: metacharacters `*?[]` stay live, everything else is quoted. */
export function shellGlob(pattern: string): string {
  return pattern
    .split(/([*?[\]])/)
    .map((part) => (part === '' ? '' : /^[*?[\]]$/.test(part) ? part : shellQuote(part)))
    .join('');
}

export function hasGlob(path: string): boolean {
  return /[*?[]/.test(path);
}
