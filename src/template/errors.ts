import { OvnctlError } from '../errors.js';

/** Any templating failure other than an undefined variable (syntax, type, bad filter argument). */
export function templateError(message: string, cause?: unknown): OvnctlError {
  return new OvnctlError('template', message, cause === undefined ? {} : { cause });
}
