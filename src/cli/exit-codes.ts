import type { ErrorCode } from '../errors.js';

/** Exit statuses (documented in README "Exit codes"). */
export const EXIT = {
  ok: 0,
  error: 1,
  hostFailed: 2,
  unreachable: 4,
  usage: 5,
  invalidInput: 6,
  interrupted: 99,
  internal: 250,
} as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'usage':
      return EXIT.usage;
    case 'yaml':
    case 'schema':
    case 'undefined-variable':
    case 'template':
    case 'invalid-input':
      return EXIT.invalidInput;
    case 'no-hosts':
      return EXIT.error;
    case 'unreachable':
      return EXIT.unreachable;
    case 'task-failed':
      return EXIT.hostFailed;
    case 'interrupted':
      return EXIT.interrupted;
    case 'internal':
      return EXIT.internal;
  }
}
