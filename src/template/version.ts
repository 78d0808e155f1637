import { templateError } from './errors.js';
import { pyCompare } from './python/ops.js';

/** distutils' LooseVersion: numbers and letter runs, compared as Python lists. */
function loose(v: string): unknown[] {
  return v
    .split(/(\d+|[a-z]+|\.)/)
    .filter((x) => x !== '' && x !== '.')
    .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
}

/** distutils' StrictVersion: N.N[.N][(a|b)N]. */
function strict(v: string): unknown[] {
  const m = /^(\d+)\.(\d+)(\.(\d+))?([ab](\d+))?$/.exec(v);
  if (!m) throw templateError('Version comparison failed: invalid version number for strict comparison');
  const release = [Number(m[1]), Number(m[2]), Number(m[4] ?? 0)];
  // No pre-release sorts after any pre-release: encode as a tuple that compares higher.
  const pre = m[5] ? [0, m[5][0], Number(m[6])] : [1, '', 0];
  return [...release, ...pre];
}

const OPS: Record<string, string> = {
  '==': 'eq',
  '=': 'eq',
  eq: 'eq',
  '<': 'lt',
  lt: 'lt',
  '<=': 'le',
  le: 'le',
  '>': 'gt',
  gt: 'gt',
  '>=': 'ge',
  ge: 'ge',
  '!=': 'ne',
  '<>': 'ne',
  ne: 'ne',
};

/** Ansible's `version` test (loose by default, or strict). */
export function versionCompare(value: string, other: string, operator: string, type: string): boolean {
  const op = OPS[operator];
  if (!op) throw templateError(`Invalid operator type (${operator})`);
  let parse: (v: string) => unknown[];
  if (type === 'loose') parse = loose;
  else if (type === 'strict') parse = strict;
  else throw templateError(`version_type '${type}' is not supported (use loose or strict)`);
  let c: number;
  try {
    c = pyCompare(parse(value), parse(other));
  } catch (e) {
    throw templateError(`Version comparison failed: ${(e as Error).message}`);
  }
  switch (op) {
    case 'eq':
      return c === 0;
    case 'ne':
      return c !== 0;
    case 'lt':
      return c < 0;
    case 'le':
      return c <= 0;
    case 'gt':
      return c > 0;
    default:
      return c >= 0;
  }
}
