import { fail } from './failure.js';

/**
 * Ansible's `mode`: an octal string ('0644', '644', '0o644'), a symbolic mode ('u=rw,g=r,o='),
 * or an integer taken as the mode bits. YAML 1.1 reads an unquoted 0644 as the integer 420, which
 * is therefore right; an unquoted 644 is the decimal 644 (octal 1204, sticky bit), which Ansible
 * applies silently and ovnctl rejects: integers above 0o777 must be written as quoted strings.
 */
export type ModeSpec = string | number;

const OCTAL = /^(?:0o?)?([0-7]{1,4})$/i;
const CLAUSE = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/;
const OPERATION = /([-+=])([ugo]|[rwxXst]*)/g;

const CLASS_SHIFT = { u: 6, g: 3, o: 0 } as const;
type Who = keyof typeof CLASS_SHIFT;

export function formatMode(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}

function classBits(mode: number, who: Who): number {
  return (mode >> CLASS_SHIFT[who]) & 0o7;
}

/** The bits a permission string grants to one class (`X`, `s` and `t` depend on context). */
function permBits(perms: string, who: Who, current: number, isDir: boolean): number {
  if (perms === 'u' || perms === 'g' || perms === 'o') return classBits(current, perms) << CLASS_SHIFT[who];
  let bits = 0;
  for (const p of perms) {
    if (p === 'r') bits |= 0o4 << CLASS_SHIFT[who];
    else if (p === 'w') bits |= 0o2 << CLASS_SHIFT[who];
    else if (p === 'x') bits |= 0o1 << CLASS_SHIFT[who];
    else if (p === 'X' && (isDir || (current & 0o111) !== 0)) bits |= 0o1 << CLASS_SHIFT[who];
    else if (p === 's' && who === 'u') bits |= 0o4000;
    else if (p === 's' && who === 'g') bits |= 0o2000;
    else if (p === 't' && who === 'o') bits |= 0o1000;
  }
  return bits;
}

const CLASS_MASK: Record<Who, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };

function applySymbolic(spec: string, current: number, isDir: boolean): number {
  let mode = current;
  for (const clause of spec.split(',')) {
    const m = CLAUSE.exec(clause.trim());
    if (!m) fail(`mode '${spec}' is not a valid octal or symbolic mode`);
    const whoText = m[1] === '' || (m[1] ?? '').includes('a') ? 'ugo' : (m[1] ?? '');
    const whos = [...new Set(whoText)] as Who[];
    for (const op of (m[2] ?? '').matchAll(OPERATION)) {
      const [, sign, perms = ''] = op;
      for (const who of whos) {
        const bits = permBits(perms, who, mode, isDir);
        if (sign === '+') mode |= bits;
        else if (sign === '-') mode &= ~bits;
        else mode = (mode & ~CLASS_MASK[who]) | bits;
      }
    }
  }
  return mode & 0o7777;
}

/** The permission bits `spec` asks for, given the path's current bits (or the default for a new path). */
export function resolveMode(spec: ModeSpec, current: number, isDir: boolean): number {
  if (typeof spec === 'number') {
    if (!Number.isInteger(spec) || spec < 0) fail(`mode ${spec} is not a valid mode`);
    if (spec > 0o777) {
      const decimal = String(spec);
      const meant = /^[0-7]+$/.test(decimal) ? decimal : spec.toString(8);
      fail(
        `mode ${spec} is an integer, i.e. octal ${spec.toString(8)} with special bits set; ` +
          `quote the mode in YAML, e.g. mode: '0${meant.padStart(3, '0')}'`,
      );
    }
    return spec;
  }
  const octal = OCTAL.exec(spec.trim());
  if (octal) return Number.parseInt(octal[1] ?? '0', 8);
  return applySymbolic(spec, current, isDir);
}
