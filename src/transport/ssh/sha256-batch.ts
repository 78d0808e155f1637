import { shellQuote } from './command.js';

/** Keeps each command line far below ARG_MAX (2 MiB on Linux) and sshd's packet limits. */
const MAX_COMMAND_BYTES = 96 * 1024;

/** One `sha256sum` command per batch of paths; stderr is dropped, missing files just lack a line. */
export function sha256Commands(paths: readonly string[]): string[] {
  const commands: string[] = [];
  let args: string[] = [];
  let size = 0;
  for (const p of new Set(paths)) {
    const quoted = shellQuote(p);
    if (args.length > 0 && size + quoted.length + 1 > MAX_COMMAND_BYTES) {
      commands.push(`sha256sum -- ${args.join(' ')} 2>/dev/null`);
      args = [];
      size = 0;
    }
    args.push(quoted);
    size += quoted.length + 1;
  }
  if (args.length > 0) commands.push(`sha256sum -- ${args.join(' ')} 2>/dev/null`);
  return commands;
}

function unescapeName(name: string): string {
  return name.replace(/\\([\\nr])/g, (_, c: string) => (c === 'n' ? '\n' : c === 'r' ? '\r' : '\\'));
}

/**
 * Parses GNU sha256sum output. A line starting with `\` has an escaped file name
 * (`\\`, `\n`, `\r`): coreutils does that for names containing those characters.
 */
export function parseSha256Output(stdout: string): Map<string, string> {
  const hashes = new Map<string, string>();
  for (const raw of stdout.split('\n')) {
    if (raw === '') continue;
    const escaped = raw.startsWith('\\');
    const line = escaped ? raw.slice(1) : raw;
    const m = /^([0-9a-f]{64}) [ *](.*)$/s.exec(line);
    if (!m) continue;
    const name = m[2] as string;
    hashes.set(escaped ? unescapeName(name) : name, m[1] as string);
  }
  return hashes;
}
