import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatLocation, OvnctlError } from '../errors.js';
import { EXIT, exitCodeFor } from './exit-codes.js';
import { MAIN_HELP } from './help.js';
import { type CliIo, processIo } from './io.js';
import { PACKAGE_ROOT } from './paths.js';

function formatError(e: OvnctlError, verbose: boolean): string {
  const lines = [`ERROR: ${e.message}`];
  const where = formatLocation(e.location);
  if (where) lines.push(`  at ${where}`);
  if (e.hint) lines.push(`  hint: ${e.hint}`);
  if (verbose && e.stack) lines.push(e.stack);
  return `${lines.join('\n')}\n`;
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      io.stdout(MAIN_HELP);
      return command === undefined ? EXIT.usage : EXIT.ok;
    case '--version': {
      const pkg = JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      };
      io.stdout(`ovnctl ${pkg.version}\n`);
      return EXIT.ok;
    }
    // Commands load on demand: `--version` or `vars` should not pay for the PKI and SSH code.
    case 'run':
      return (await import('./run-command.js')).runCommand(rest, io);
    case 'vars':
      return (await import('./vars-command.js')).varsCommand(rest, io);
    case 'certificates':
      return (await import('./certificates-command.js')).certificatesCommand(rest, io);
    case 'modules': {
      const { defaultRegistry } = await import('../modules/index.js');
      io.stdout(`${defaultRegistry().names().join('\n')}\n`);
      return EXIT.ok;
    }
    default:
      throw new OvnctlError('usage', `unknown command '${command}'`, { hint: 'see ovnctl --help' });
  }
}

/** The CLI entry point: returns the exit status; only bin/ovnctl.js exits the process. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const verbose = argv.some((a) => /^-v{3,}$/.test(a));
  try {
    return await dispatch(argv, io);
  } catch (e) {
    if (e instanceof OvnctlError) {
      io.stderr(formatError(e, verbose));
      return exitCodeFor(e.code);
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(
      `ERROR: unexpected internal error: ${err.message}\n${verbose ? `${err.stack}\n` : '  (run with -vvv for details)\n'}`,
    );
    return EXIT.internal;
  }
}
