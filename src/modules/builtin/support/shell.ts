import { shellQuote, splitShellWords, UnbalancedQuoteError } from '../../../shell.js';
import { fail } from './failure.js';

export { shellJoin, shellQuote } from '../../../shell.js';

/** Shell-like split of a command line; an unbalanced quote fails the task, as in Ansible. */
export function splitWords(text: string): string[] {
  try {
    return splitShellWords(text);
  } catch (e) {
    if (e instanceof UnbalancedQuoteError) fail(`${e.message} in command: ${text}`);
    throw e;
  }
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
