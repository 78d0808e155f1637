import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';

/** pid -> parent pid, state, for every process now (unreadable entries skipped). */
function processTable(): Map<number, { ppid: number; state: string }> {
  const table = new Map<number, { ppid: number; state: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(name), { state: rest[0] ?? '?', ppid: Number(rest[1]) });
    } catch {
      // The process exited while we looked.
    }
  }
  return table;
}

/** Every process below `pid` (children, grandchildren...). */
export function descendantsOf(pid: number): number[] {
  const table = processTable();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [child, info] of table) {
      if (info.ppid === parent && !out.includes(child)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

export function mountNamespaceOf(pid: number | 'self'): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Processes whose mount namespace is `ns` (never our own namespace: that would be everything). */
export function pidsInMountNamespace(ns: string): number[] {
  if (ns === mountNamespaceOf('self')) return [];
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (/^\d+$/.test(name) && mountNamespaceOf(Number(name)) === ns) out.push(Number(name));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

export async function waitUntil(check: () => boolean, timeoutMs: number, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Sends `signal` to each pid, waits (bounded) for all to be gone, then SIGKILLs survivors. */
export async function killAndWait(
  pids: readonly number[],
  signal: NodeJS.Signals,
  timeoutMs = 5000,
): Promise<void> {
  const send = (s: NodeJS.Signals) => {
    for (const pid of pids) {
      try {
        process.kill(pid, s);
      } catch {
        // Already gone.
      }
    }
  };
  send(signal);
  if (await waitUntil(() => pids.every((p) => !isAlive(p)), timeoutMs)) return;
  send('SIGKILL');
  if (!(await waitUntil(() => pids.every((p) => !isAlive(p)), 2000))) {
    throw new Error(`processes did not exit: ${pids.filter(isAlive).join(', ')}`);
  }
}

export function acceptsTcp(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(500, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
