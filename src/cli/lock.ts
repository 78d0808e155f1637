import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OvnctlError } from '../errors.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One writer per config dir: two runs on the same PKI store would race on CA files.
 * A lock left by a dead process is taken over.
 */
export function acquireConfigLock(configDir: string): () => void {
  const dir = join(configDir, '.ovnctl');
  const file = join(dir, 'lock');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new OvnctlError('usage', `another ovnctl (pid ${pid}) is running on ${configDir}`, {
          hint: `wait for it to finish; if it is gone, remove ${file}`,
        });
      }
      unlinkSync(file);
    }
  }
  throw new OvnctlError('internal', `cannot take the lock ${file}`);
}
