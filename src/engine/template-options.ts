import type { SourceLocation } from '../errors.js';
import type { TemplateOptions } from '../template/index.js';

export type Decrypt = ((envelope: string) => string) | undefined;

/** Template options for engine-side rendering: where the text was written, and the vault. */
export function templateOptions(location: SourceLocation | undefined, decrypt: Decrypt): TemplateOptions {
  return {
    ...(location ? { location } : {}),
    ...(decrypt ? { decryptVault: (v: { envelope: string }) => decrypt(v.envelope) } : {}),
  };
}
