import { createHash } from 'node:crypto';
import { basename, dirname } from 'node:path/posix';
import type { FileStat } from '../../../transport/types.js';
import type { Facts, Ownership, Step } from '../../types.js';
import { attributeSteps } from './attributes.js';
import { fail } from './failure.js';
import { type ModeSpec, resolveMode } from './mode.js';
import { checkOwnershipExists } from './ownership.js';
import { shellJoin, shellQuote, splitWords } from './shell.js';

/** Files up to this size are read for --diff; larger ones are diffed as if new. */
const DIFF_READ_LIMIT = 1 << 20;

export interface DesiredFile {
  path: string;
  /** The path's stat (null when absent), already fetched by the module. */
  stat: FileStat | null;
  content: Buffer;
  /** The current content when the module already read it (blockinfile, lineinfile). */
  current?: Buffer | null;
  mode?: ModeSpec | undefined;
  ownership: Ownership;
  /** Private keys and the like: never diffed; a new file defaults to mode 0600. */
  sensitive: boolean;
  /** Ansible's `validate`: a command with `%s`, run against the candidate before it replaces `path`. */
  validate?: string | undefined;
}

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function contentDiffers(facts: Facts, file: DesiredFile): Promise<boolean> {
  if (file.current !== undefined) return file.current === null || !file.current.equals(file.content);
  const { stat } = file;
  if (stat?.type !== 'file' || stat.size !== file.content.length) return true;
  const sums = await facts.sha256([file.path]);
  return sums.get(file.path) !== sha256Hex(file.content);
}

async function currentForDiff(facts: Facts, file: DesiredFile): Promise<Buffer | null> {
  if (file.current !== undefined) return file.current;
  const { stat } = file;
  if (stat?.type !== 'file' || file.sensitive || stat.size > DIFF_READ_LIMIT) return null;
  return facts.read(file.path);
}

/**
 * Validation without a dedicated step kind: the candidate is written beside the destination
 * (mode 0600), the validator runs on it and removes it, and only then is the real file written.
 * The engine stops at the first failing step, so a rejected candidate never reaches `path`.
 */
function validationSteps(file: DesiredFile, write: Step & { kind: 'write' }): Step[] {
  const command = file.validate ?? '';
  if (!command.includes('%s')) fail(`validate must contain %s: ${command}`);
  const candidate = `${dirname(file.path)}/.${basename(file.path)}.ovnctl-validate`;
  const argv = splitWords(command).map((w) => w.replaceAll('%s', candidate));
  const q = shellQuote(candidate);
  return [
    {
      ...write,
      path: candidate,
      mode: 0o600,
      before: null,
      sensitive: true,
      why: `write candidate for ${file.path}`,
    },
    {
      kind: 'exec',
      command: `${shellJoin(argv)}; rc=$?; rm -f -- ${q}; exit $rc`,
      why: `validate ${file.path} with: ${command}`,
    },
    write,
  ];
}

/** The steps that make `path` hold `content` with the requested mode and ownership. */
export async function planFileContent(facts: Facts, file: DesiredFile): Promise<Step[]> {
  const { path, stat } = file;
  const existing = stat?.type === 'file' ? stat : null;
  const base = existing?.mode ?? (file.sensitive ? 0o600 : 0o644);
  const mode = file.mode === undefined ? base : resolveMode(file.mode, base, false);
  await checkOwnershipExists(facts, file.ownership);

  if (!(await contentDiffers(facts, file))) {
    return existing
      ? attributeSteps(facts, path, existing, file.mode === undefined ? undefined : mode, file.ownership)
      : [];
  }
  const write: Step & { kind: 'write' } = {
    kind: 'write',
    path,
    mode,
    ...file.ownership,
    content: file.content,
    before: await currentForDiff(facts, file),
    sensitive: file.sensitive,
    why: existing ? `update content of ${path}` : `create ${path}`,
  };
  return file.validate ? validationSteps(file, write) : [write];
}
