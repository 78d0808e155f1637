/** Directories of the OSA layout: created when missing, key directories kept private. */
import { caPaths, pkiDirs } from '../../pki/layout.js';
import type { Facts } from '../types.js';
import type { StepList } from './common.js';
import type { Settings } from './settings.js';

interface DirWant {
  path: string;
  mode: number;
  /** Fix the mode of an existing directory too (CA private dirs, as OSA's role does). */
  enforce: boolean;
}

export function certDirs(pkiDir: string, s: Settings): DirWant[] {
  const d = pkiDirs(pkiDir);
  return [
    { path: d.root, mode: s.dirMode, enforce: false },
    { path: d.certs, mode: s.dirMode, enforce: false },
    { path: d.certsCerts, mode: s.dirMode, enforce: false },
    { path: d.certsCsr, mode: s.keyDirMode, enforce: false },
    { path: d.certsPrivate, mode: s.keyDirMode, enforce: false },
  ];
}

export function caDirs(pkiDir: string, name: string, s: Settings): DirWant[] {
  const p = caPaths(pkiDir, name);
  return [
    { path: pkiDirs(pkiDir).roots, mode: s.dirMode, enforce: false },
    { path: p.dir, mode: s.dirMode, enforce: false },
    { path: p.certsDir, mode: s.dirMode, enforce: false },
    { path: p.csrDir, mode: s.keyDirMode, enforce: true },
    { path: p.privateDir, mode: s.keyDirMode, enforce: true },
  ];
}

export async function ensureDirs(facts: Facts, wants: readonly DirWant[], steps: StepList): Promise<void> {
  const unique = [...new Map(wants.map((w) => [w.path, w])).values()];
  const stats = await Promise.all(unique.map((w) => facts.stat(w.path)));
  unique.forEach((w, i) => {
    const st = stats[i];
    const mode = w.mode.toString(8).padStart(4, '0');
    if (!st) steps.mkdir(w.path, w.mode, `create directory ${w.path} (${mode})`);
    else if (w.enforce && st.mode !== w.mode) {
      steps.attributes(
        w.path,
        `set mode ${mode} on ${w.path} (was ${st.mode.toString(8).padStart(4, '0')})`,
        { mode: w.mode },
      );
    }
  });
}

/** Private key files keep their mode even when nothing else changes. */
export async function ensureKeyModes(
  facts: Facts,
  keys: readonly string[],
  mode: number,
  steps: StepList,
): Promise<void> {
  const stats = await Promise.all(keys.map((k) => facts.stat(k)));
  keys.forEach((k, i) => {
    const st = stats[i];
    if (st && st.type === 'file' && st.mode !== mode) {
      const m = (x: number) => x.toString(8).padStart(4, '0');
      steps.attributes(k, `set mode ${m(mode)} on private key ${k} (was ${m(st.mode)})`, { mode });
    }
  });
}
