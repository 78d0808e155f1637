/** Where in a user's file a problem sits; line and column are 1-based. */
export interface SourceLocation {
  file: string;
  line?: number;
  column?: number;
  /** Dotted path of the offending key, e.g. `plays[0].tasks[2].copy.mode`. */
  key?: string;
}

/**
 * Every failure a user can cause maps to one of these codes; the CLI turns the
 * code into an exit status (see README "Exit codes").
 */
export type ErrorCode =
  | 'usage' // bad command line
  | 'yaml' // a file is not valid YAML
  | 'schema' // a document or module argument violates its schema
  | 'undefined-variable' // a template referenced a variable that does not exist
  | 'template' // any other templating error (syntax, bad filter argument)
  | 'invalid-input' // other invalid user input (missing file, bad PEM, wrong vault password)
  | 'no-hosts' // --limit / hosts pattern matched nothing
  | 'unreachable' // a transport could not reach a host
  | 'task-failed' // a module or step failed on a host
  | 'interrupted'
  | 'internal';

export interface ErrorDetails {
  hint?: string;
  location?: SourceLocation;
  cause?: unknown;
}

/** The one error type of ovnctl: a code, a user-safe message, a hint and a location. */
export class OvnctlError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly location: SourceLocation | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OvnctlError';
    this.code = code;
    this.hint = details.hint;
    this.location = details.location;
  }

  /** A copy with a location filled in, unless one is already known. */
  at(location: SourceLocation | undefined): OvnctlError {
    if (this.location || !location) return this;
    return new OvnctlError(this.code, this.message, { hint: this.hint ?? '', location, cause: this.cause });
  }
}

export function formatLocation(loc: SourceLocation | undefined): string {
  if (!loc) return '';
  let s = loc.file;
  if (loc.line !== undefined) s += `:${loc.line}`;
  if (loc.line !== undefined && loc.column !== undefined) s += `:${loc.column}`;
  if (loc.key) s += ` (key: ${loc.key})`;
  return s;
}

export function isOvnctlError(e: unknown): e is OvnctlError {
  return e instanceof OvnctlError;
}

/** A short, user-safe text for any thrown value (never a stack). */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
