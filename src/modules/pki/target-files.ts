/** Writing files to a target only where content, mode or ownership differ. */
import crypto from 'node:crypto';
import path from 'node:path';
import type { Facts } from '../types.js';
import type { StepList } from './common.js';

export interface TargetFile {
  dest: string;
  content: Buffer;
  mode: number;
  owner?: string;
  group?: string;
  sensitive: boolean;
  /** Short description for reasons ("certificate haproxy_infra1"). */
  label: string;
}

const octal = (m: number) => m.toString(8).padStart(4, '0');

async function idOf(
  facts: Facts,
  kind: 'user' | 'group',
  name: string | undefined,
): Promise<number | null | undefined> {
  if (name === undefined) return undefined;
  if (/^\d+$/.test(name)) return Number(name);
  return facts.lookupId(kind, name);
}

export async function planTargetFiles(
  facts: Facts,
  files: readonly TargetFile[],
  dirMode: number,
  steps: StepList,
): Promise<void> {
  if (files.length === 0) return;
  const dirs = [...new Set(files.map((f) => path.dirname(f.dest)))];
  const [hashes, stats, dirStats] = await Promise.all([
    facts.sha256(files.map((f) => f.dest)),
    Promise.all(files.map((f) => facts.stat(f.dest))),
    Promise.all(dirs.map((d) => facts.stat(d))),
  ]);
  dirs.forEach((d, i) => {
    if (!dirStats[i]) steps.mkdir(d, dirMode, `create directory ${d}`);
  });
  for (const [i, f] of files.entries()) {
    const want = crypto.createHash('sha256').update(f.content).digest('hex');
    const st = stats[i];
    const owner = f.owner !== undefined ? { owner: f.owner } : {};
    const group = f.group !== undefined ? { group: f.group } : {};
    if (!st || hashes.get(f.dest) !== want) {
      const why = st ? `update ${f.label} at ${f.dest}: content changed` : `install ${f.label} at ${f.dest}`;
      steps.write(f.dest, f.content, null, f.mode, f.sensitive, why, { ...owner, ...group });
      continue;
    }
    const [uid, gid] = await Promise.all([idOf(facts, 'user', f.owner), idOf(facts, 'group', f.group)]);
    const drift: string[] = [];
    if (st.mode !== f.mode) drift.push(`mode ${octal(st.mode)} -> ${octal(f.mode)}`);
    if (uid !== undefined && uid !== st.uid) drift.push(`owner -> ${f.owner}`);
    if (gid !== undefined && gid !== st.gid) drift.push(`group -> ${f.group}`);
    if (drift.length > 0) {
      steps.attributes(f.dest, `fix ${f.label} at ${f.dest}: ${drift.join(', ')}`, {
        mode: f.mode,
        ...owner,
        ...group,
      });
    }
  }
}
