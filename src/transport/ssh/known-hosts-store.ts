import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { type KnownHostEntry, knownHostsLine, parseKnownHosts } from './known-hosts.js';

/** Reads every file (a missing file is an empty one) and returns their entries in order. */
export async function readKnownHosts(files: readonly string[]): Promise<KnownHostEntry[]> {
  const texts = await Promise.all(
    files.map((f) =>
      readFile(f, 'utf8').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT' || e.code === 'ENOTDIR') return '';
        throw e;
      }),
    ),
  );
  return texts.flatMap((text, i) => parseKnownHosts(text, files[i] as string));
}

// One chain per file: concurrent connections that accept new keys append one at a time.
const appendChains = new Map<string, Promise<unknown>>();

function serialized<T>(file: string, job: () => Promise<T>): Promise<T> {
  const previous = appendChains.get(file) ?? Promise.resolve();
  const next = previous.then(job, job);
  appendChains.set(
    file,
    next.catch(() => {}),
  );
  return next;
}

/**
 * Records a newly accepted host key: one `write` on an O_APPEND descriptor, so the line lands
 * whole even next to another process appending to the same file; in-process appends are
 * serialized and a line already present (another connection got there first) is not repeated.
 */
export function recordHostKey(file: string, address: string, port: number, key: Buffer): Promise<void> {
  return serialized(file, async () => {
    const line = knownHostsLine(address, port, key);
    const current = await readFile(file, 'utf8').catch(() => '');
    if (current.split('\n').some((l) => l.trim() === line)) return;
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a', 0o600);
    try {
      const prefix = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
      await handle.write(`${prefix}${line}\n`);
    } finally {
      await handle.close();
    }
  });
}
