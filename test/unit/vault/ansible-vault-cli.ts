import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs the real `ansible-vault` (Debian's ansible-core) in a private temp dir. */
export class AnsibleVaultCli {
  readonly dir = mkdtempSync(join(tmpdir(), 'ovnctl-vault-'));

  constructor() {
    try {
      execFileSync('ansible-vault', ['--version'], { stdio: 'ignore', env: this.env() });
    } catch {
      throw new Error('ansible-vault not found: run `apt-get update && apt-get install -y ansible-core`');
    }
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: this.dir,
      ANSIBLE_LOCAL_TEMP: join(this.dir, '.ansible-tmp'),
      LC_ALL: 'C.UTF-8',
    };
  }

  file(name: string, content: string, mode = 0o600): string {
    const path = join(this.dir, name);
    writeFileSync(path, content, { mode });
    return path;
  }

  run(args: string[]): string {
    return execFileSync('ansible-vault', args, { env: this.env(), encoding: 'utf8', timeout: 60_000 });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
