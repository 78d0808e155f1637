/**
 * Starts a rig for manual use or benchmarks:
 *   npx tsx test/rig/cli.ts start <hosts> <dir> [--non-root] [--base <octet>]
 * writes <dir>/inventory.yml, <dir>/known_hosts and <dir>/rig.pid, prints the inventory, and
 * stops every host on SIGINT/SIGTERM. Signal the pid in rig.pid (or the whole process group,
 * as Ctrl-C does): npx does not pass a SIGTERM sent to its own pid on to this process.
 * `node --import tsx test/rig/cli.ts ...` runs it without the npx/tsx wrappers.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startRig } from './rig.js';

async function main(argv: string[]): Promise<void> {
  const [command, count, dirArg, ...rest] = argv;
  const hosts = Number(count);
  if (command !== 'start' || !Number.isInteger(hosts) || hosts < 1 || !dirArg) {
    process.stderr.write('usage: tsx test/rig/cli.ts start <hosts> <dir> [--non-root] [--base <octet>]\n');
    process.exit(2);
  }
  const baseIndex = rest.indexOf('--base');
  const rig = await startRig({
    hosts,
    nonRootHost: rest.includes('--non-root'),
    ...(baseIndex >= 0 ? { baseOctet: Number(rest[baseIndex + 1]) } : {}),
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await rig.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const dir = resolve(dirArg);
    await mkdir(dir, { recursive: true });
    const inventory = rig.inventory();
    await writeFile(join(dir, 'inventory.yml'), inventory);
    await writeFile(join(dir, 'known_hosts'), rig.knownHosts());
    await writeFile(join(dir, 'rig.pid'), `${process.pid}\n`);
    process.stdout.write(inventory);
    process.stderr.write(
      `rig up: ${rig.hosts.length} hosts, known_hosts in ${join(dir, 'known_hosts')}; Ctrl-C to stop\n`,
    );
  } catch (e) {
    await rig.stop();
    throw e;
  }
  // Keep the process (and the hosts) alive until a signal arrives.
  setInterval(() => {}, 1 << 30);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
