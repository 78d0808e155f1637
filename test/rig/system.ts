import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

/**
 * The only changes the rig makes to the real system: sshd's privilege-separation directory,
 * empty mount-point directories the per-host bind mounts need, and the non-root test login
 * (user `ovnctl-test` plus one file in /etc/sudoers.d). All idempotent.
 */

const run = promisify(execFile);

export const TEST_USER = 'ovnctl-test';
/** The test user's login password, which sudo asks for when becoming `nobody` (see sudoers below). */
export const TEST_USER_PASSWORD = 'ovnctl-rig-become-pw';
/** A user the test login may become only with its password. */
export const PASSWORD_BECOME_USER = 'nobody';

const SUDOERS_FILE = `/etc/sudoers.d/${TEST_USER}`;
const SUDOERS = `# Written by ovnctl's test rig (test/rig/system.ts) for its non-root test login.
Defaults:${TEST_USER} !lecture, timestamp_timeout=0
${TEST_USER} ALL=(root) NOPASSWD: ALL
${TEST_USER} ALL=(${PASSWORD_BECOME_USER}) PASSWD: ALL
`;

export async function ensureSshdRuntime(): Promise<void> {
  if (!existsSync('/usr/sbin/sshd'))
    throw new Error('test rig: /usr/sbin/sshd missing (apt-get install -y openssh-server)');
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
}

const announced = new Set<string>();

/** Creates missing mount points (empty directories) and says so on stderr, once per path. */
export async function ensureMountPoints(paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    if (existsSync(p)) continue;
    await mkdir(p, { recursive: true, mode: 0o755 });
    if (!announced.has(p)) {
      announced.add(p);
      process.stderr.write(`test rig: created missing mount point ${p} (empty directory) on this machine\n`);
    }
  }
}

async function userExists(name: string): Promise<boolean> {
  try {
    await run('getent', ['passwd', name]);
    return true;
  } catch {
    return false;
  }
}

/** The non-root login with passwordless sudo to root, and password sudo to `nobody`. */
export async function ensureTestUser(): Promise<void> {
  if (!existsSync('/usr/bin/sudo')) throw new Error('test rig: sudo missing (apt-get install -y sudo)');
  if (!(await userExists(TEST_USER))) {
    try {
      await run('useradd', [
        '--create-home',
        '--shell',
        '/bin/sh',
        '--comment',
        'ovnctl test rig',
        TEST_USER,
      ]);
    } catch (e) {
      // Another test file may have created it at the same moment.
      if (!(await userExists(TEST_USER))) throw e;
    }
  }
  // A locked account ('!' password) cannot log in even with a key when sshd runs without PAM.
  const shadow = await readFile('/etc/shadow', 'utf8');
  const hash =
    shadow
      .split('\n')
      .find((l) => l.startsWith(`${TEST_USER}:`))
      ?.split(':')[1] ?? '';
  if (!hash.startsWith('$')) {
    await new Promise<void>((resolve, reject) => {
      const child = execFile('chpasswd', (err) => (err ? reject(err) : resolve()));
      child.stdin?.end(`${TEST_USER}:${TEST_USER_PASSWORD}\n`);
    });
  }
  const current = await readFile(SUDOERS_FILE, 'utf8').catch(() => '');
  if (current !== SUDOERS) {
    // sudo ignores names containing a dot, so the temp file is inert until renamed.
    const temp = `/etc/sudoers.d/.${TEST_USER}.${process.pid}.tmp`;
    await writeFile(temp, SUDOERS, { mode: 0o440 });
    try {
      await chmod(temp, 0o440);
      await run('visudo', ['-c', '-q', '-f', temp]);
      await rename(temp, SUDOERS_FILE);
    } finally {
      await rm(temp, { force: true });
    }
  }
}
