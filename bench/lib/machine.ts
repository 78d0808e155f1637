/** The machine a result was measured on, and waiting (bounded) for a quiet moment on a shared box. */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  kernel: string;
  node: string;
  ansible: string | null;
  communityCrypto: string | null;
  openssh: string;
  openssl: string;
  loadAverageAtStart: number[];
}

function firstLine(cmd: string, args: string[]): string | null {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n')[0]?.trim() || null;
  } catch {
    return null;
  }
}

/** community.crypto's version as ansible-galaxy sees it, or null (ansible-core alone lacks it). */
export function communityCryptoVersion(): string | null {
  try {
    const out = execFileSync(
      'ansible-galaxy',
      ['collection', 'list', 'community.crypto', '--format', 'json'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        timeout: 30_000,
      },
    );
    for (const found of Object.values(
      JSON.parse(out) as Record<string, Record<string, { version: string }>>,
    )) {
      const v = found['community.crypto']?.version;
      if (v) return v;
    }
    return null;
  } catch {
    return null;
  }
}

export function ansibleVersion(): string | null {
  return firstLine('ansible-playbook', ['--version']);
}

export function describeMachine(): Machine {
  // OpenSSH prints its version on stderr.
  const sshV = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    kernel: release(),
    node: process.version,
    ansible: ansibleVersion(),
    communityCrypto: communityCryptoVersion(),
    openssh: `${sshV.stderr ?? ''}${sshV.stdout ?? ''}`.trim() || 'unknown',
    openssl: firstLine('openssl', ['version']) ?? 'unknown',
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Waits until the 1-minute load average is below `max`, checking every 15 s, at most `boundMs`. */
export async function waitForQuiet(max: number, boundMs: number, log: (s: string) => void): Promise<number> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const load = loadavg()[0] ?? 0;
    if (load < max || Date.now() >= deadline) return load;
    log(`load average ${load.toFixed(2)} >= ${max}: waiting (until ${new Date(deadline).toISOString()})`);
    await new Promise((r) => setTimeout(r, Math.min(15_000, Math.max(0, deadline - Date.now()))));
  }
}
