import { OvnctlError } from '../../errors.js';
import { parseYaml } from '../../yaml/load.js';
import { UnsafeText } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { bindArgs } from '../python/args.js';
import { jsonDumps, jsonLoads } from '../python/json.js';
import { truthy } from '../python/ops.js';
import { pyStr } from '../python/str.js';
import { pyIter } from '../python/types.js';
import { isNumeric, numValue } from '../python/values.js';
import type { FilterFn } from '../runtime.js';
import { defined } from '../undefined.js';
import { yamlDump } from './yaml-emit.js';

type Kw = Record<string, unknown>;

const IGNORED_JSON_KWARGS = new Set([
  'vault_to_text',
  'preprocess_unsafe',
  'skipkeys',
  'check_circular',
  'allow_nan',
]);

function toJson(value: unknown, args: unknown[], kwargs: Kw, defaults: Kw): string {
  if (args.length > 0) throw templateError('to_json() takes keyword arguments only');
  const kw: Kw = { ...defaults, ...kwargs };
  for (const k of Object.keys(kw)) {
    if (!['indent', 'sort_keys', 'separators', 'ensure_ascii'].includes(k) && !IGNORED_JSON_KWARGS.has(k)) {
      throw templateError(`to_json() got an unexpected keyword argument '${k}'`);
    }
  }
  const indentArg = kw.indent ?? null;
  const indent =
    indentArg === null
      ? null
      : typeof indentArg === 'string'
        ? indentArg
        : ' '.repeat(numValue(indentArg as number));
  let itemSep = indent === null ? ', ' : ',';
  let keySep = ': ';
  if (kw.separators !== undefined && kw.separators !== null) {
    const seps = pyIter(kw.separators);
    itemSep = pyStr(seps[0]);
    keySep = pyStr(seps[1]);
  }
  return jsonDumps(defined(value), {
    indent,
    sortKeys: truthy(kw.sort_keys ?? false),
    itemSep,
    keySep,
    ensureAscii: truthy(kw.ensure_ascii ?? true),
  });
}

function toYaml(value: unknown, kwargs: Kw, flowDefault: boolean | null): string {
  const allowed = ['indent', 'width', 'sort_keys', 'explicit_start', 'allow_unicode', 'default_flow_style'];
  for (const k of Object.keys(kwargs)) {
    if (!allowed.includes(k)) throw templateError(`to_yaml: unsupported keyword argument '${k}'`);
  }
  const indentArg = kwargs.indent;
  const indent =
    isNumeric(indentArg) && numValue(indentArg) > 1 && numValue(indentArg) < 10 ? numValue(indentArg) : 2;
  const widthArg = kwargs.width;
  const width = isNumeric(widthArg) && numValue(widthArg) > indent * 2 ? numValue(widthArg) : 80;
  const flow = kwargs.default_flow_style;
  return yamlDump(defined(value), {
    indent,
    width,
    defaultFlowStyle: flow === undefined ? flowDefault : flow === null ? null : truthy(flow),
    sortKeys: truthy(kwargs.sort_keys ?? true),
    explicitStart: truthy(kwargs.explicit_start ?? false),
  });
}

export const serializeFilters: Record<string, FilterFn> = {
  to_json: (v, a, k) => toJson(v, a, k, {}),
  to_nice_json: (v, a, k) => {
    const [indent, sortKeys] = bindArgs(
      'to_nice_json',
      [
        ['indent', 4],
        ['sort_keys', true],
      ],
      a,
      {},
    );
    return toJson(v, [], k, { indent, sort_keys: sortKeys, separators: [',', ': '] });
  },
  from_json: (v) => jsonLoads(v instanceof UnsafeText ? v.text : String(defined(v))),
  to_yaml: (v, a, k) => {
    if (a.length > 0) throw templateError('to_yaml() takes keyword arguments only');
    return toYaml(v, k, null);
  },
  to_nice_yaml: (v, a, k) => {
    const [indent] = bindArgs('to_nice_yaml', [['indent', 4]], a, {});
    if (Object.hasOwn(k, 'default_flow_style'))
      throw templateError("got multiple values for 'default_flow_style'");
    return toYaml(v, { indent, ...k }, false);
  },
  from_yaml: (v) => {
    const x = defined(v);
    if (typeof x !== 'string' && !(x instanceof UnsafeText)) return x;
    try {
      return parseYaml(pyStr(x), '(from_yaml)').value;
    } catch (e) {
      if (e instanceof OvnctlError) throw templateError(`from_yaml: ${e.message}`);
      throw e;
    }
  },
};
