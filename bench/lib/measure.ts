/** Runs one command under measure.py: wall time, CPU of the process tree, peak RSS; bounded. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MEASURE = fileURLToPath(new URL('./measure.py', import.meta.url));

export interface Sample {
  wallMs: number;
  /** User + system time of the command and the descendants it waited for. */
  cpuMs: number;
  /** Largest resident set of any one process (getrusage). */
  maxRssMb: number;
  /** Largest sum over the whole process tree, sampled every 100 ms (at least maxRssMb). */
  treeRssMb: number;
}

export interface Measured {
  status: number;
  stdout: string;
  stderr: string;
  sample: Sample;
}

export interface MeasureOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

/** Runs argv; rejects when it does not end within timeoutMs (its process group is killed). */
export function measure(argv: readonly string[], opts: MeasureOptions): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [MEASURE, '--', ...argv], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout can stop the command and everything it started.
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const report: Buffer[] = [];
    child.stdout?.on('data', (d: Buffer) => out.push(d));
    child.stderr?.on('data', (d: Buffer) => err.push(d));
    (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (d: Buffer) => report.push(d));
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      reject(new Error(`${argv.join(' ')}: no exit within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const line = Buffer.concat(report).toString('utf8').trim();
      if (code !== 0 || !line) {
        reject(new Error(`measure.py failed (${code}) for ${argv.join(' ')}:\n${stderr}`));
        return;
      }
      const r = JSON.parse(line) as {
        status: number;
        wall_ms: number;
        cpu_ms: number;
        max_rss_kb: number;
        tree_rss_kb: number;
      };
      resolve({
        status: r.status,
        stdout,
        stderr,
        sample: {
          wallMs: r.wall_ms,
          cpuMs: r.cpu_ms,
          maxRssMb: r.max_rss_kb / 1024,
          treeRssMb: r.tree_rss_kb / 1024,
        },
      });
    });
  });
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export interface Recap {
  changed: number;
  failed: number;
  unreachable: number;
}

/** The PLAY RECAP lines both tools print: host -> counts. */
export function parseRecap(stdout: string): Map<string, Recap> {
  const out = new Map<string, Recap>();
  const re = /^(\S+)\s+:\s+ok=\d+\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)/gm;
  for (const m of stdout.matchAll(re)) {
    out.set(m[1] as string, { changed: Number(m[2]), unreachable: Number(m[3]), failed: Number(m[4]) });
  }
  return out;
}
