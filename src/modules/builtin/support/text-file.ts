import { dirname } from 'node:path/posix';
import { looksLikePrivateKey } from '../../../report/redact.js';
import type { FileStat } from '../../../transport/types.js';
import type { Facts, Ownership, Step } from '../../types.js';
import { attributeSteps } from './attributes.js';
import { planFileContent } from './content.js';
import { fail } from './failure.js';
import { type ModeSpec, resolveMode } from './mode.js';

/** A text file that blockinfile/lineinfile edit in place. */
export interface EditedFile {
  path: string;
  stat: FileStat | null;
  /** Current text ('' when absent). */
  text: string;
}

/** Reads the file to edit; a missing file is an error unless `create`. */
export async function readEditedFile(facts: Facts, path: string, create: boolean): Promise<EditedFile> {
  const stat = await facts.stat(path);
  if (stat?.type === 'directory') fail(`Path ${path} is a directory !`);
  if (stat === null || stat.type === 'symlink') {
    if (!create) fail(`Path ${path} does not exist !`);
    return { path, stat: null, text: '' };
  }
  const data = await facts.read(path);
  if (data === null) fail(`cannot read ${path}`);
  return { path, stat, text: data.toString('utf8') };
}

/**
 * Steps to store `text`: nothing to write when unchanged (then only attribute drift); a missing
 * parent directory is created first, as Ansible does with `create: true`.
 */
export async function planEditedFile(
  facts: Facts,
  file: EditedFile,
  text: string,
  attrs: { mode?: ModeSpec | undefined; ownership: Ownership; validate?: string | undefined },
): Promise<Step[]> {
  if (file.stat && text === file.text) {
    const mode = attrs.mode === undefined ? undefined : resolveMode(attrs.mode, file.stat.mode, false);
    return attributeSteps(facts, file.path, file.stat, mode, attrs.ownership);
  }
  const steps: Step[] = [];
  if (!file.stat) {
    const parent = dirname(file.path);
    if ((await facts.stat(parent))?.type !== 'directory') {
      steps.push({ kind: 'mkdir', path: parent, mode: 0o755, why: `create directory ${parent}` });
    }
  }
  const content = await planFileContent(facts, {
    path: file.path,
    stat: file.stat,
    content: Buffer.from(text, 'utf8'),
    current: file.stat ? Buffer.from(file.text, 'utf8') : null,
    mode: attrs.mode,
    ownership: attrs.ownership,
    sensitive: looksLikePrivateKey(text),
    validate: attrs.validate,
  });
  return [...steps, ...content];
}
