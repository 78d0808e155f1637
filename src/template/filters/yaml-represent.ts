import { UnsafeText } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { OMIT, OMIT_TEXT } from '../omit.js';
import { floatRepr } from '../python/str.js';
import { isDict, typeName } from '../python/types.js';
import { isFloat, numValue, PyFloat } from '../python/values.js';
import { Undefined } from '../undefined.js';

export type Node =
  | { kind: 'scalar'; value: string; isString: boolean }
  | { kind: 'seq'; items: Node[]; flow: boolean }
  | { kind: 'map'; pairs: [Node, Node][]; flow: boolean };

export interface DumpOptions {
  indent: number;
  width: number;
  defaultFlowStyle: boolean | null;
  sortKeys: boolean;
  explicitStart: boolean;
}

function floatText(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Number.POSITIVE_INFINITY) return '.inf';
  if (n === Number.NEGATIVE_INFINITY) return '-.inf';
  const v = floatRepr(n).toLowerCase();
  return !v.includes('.') && v.includes('e') ? v.replace('e', '.0e') : v;
}

/** PyYAML's SafeRepresenter for the values templates produce. */
export function represent(v: unknown, o: DumpOptions): Node {
  if (v === null || v === undefined) return { kind: 'scalar', value: 'null', isString: false };
  if (typeof v === 'boolean') return { kind: 'scalar', value: v ? 'true' : 'false', isString: false };
  if (typeof v === 'number' || v instanceof PyFloat) {
    const n = numValue(v);
    return { kind: 'scalar', value: isFloat(v) ? floatText(n) : String(n), isString: false };
  }
  if (typeof v === 'string') return { kind: 'scalar', value: v, isString: true };
  if (v instanceof UnsafeText) return { kind: 'scalar', value: v.text, isString: true };
  if (v === OMIT) return { kind: 'scalar', value: OMIT_TEXT, isString: true };
  if (v instanceof Undefined) v.fail();
  const leaf = (n: Node) => n.kind === 'scalar';
  if (Array.isArray(v)) {
    const items = v.map((x) => represent(x, o));
    return { kind: 'seq', items, flow: o.defaultFlowStyle ?? items.every(leaf) };
  }
  if (isDict(v)) {
    const keys = Object.keys(v);
    if (o.sortKeys) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const pairs = keys.map((k): [Node, Node] => [represent(k, o), represent(v[k], o)]);
    return { kind: 'map', pairs, flow: o.defaultFlowStyle ?? pairs.every(([k, x]) => leaf(k) && leaf(x)) };
  }
  throw templateError(`cannot represent an object of type ${typeName(v)} in YAML`);
}
