import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { OvnctlError, type SourceLocation } from '../errors.js';
import { shortModuleName } from '../playbook/keywords.js';
import type { ModuleDefinition } from './types.js';
import { type Validator, ValidatorCache } from './validator-cache.js';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/modules/', import.meta.url));
/** Compiled validators are kept beside the built registry (dist/modules/); not when run from src. */
const CACHE_DIR = import.meta.url.endsWith('.js')
  ? fileURLToPath(new URL('./.validators/', import.meta.url))
  : undefined;

export function describeAjvError(e: ErrorObject): { key: string; message: string } {
  const key = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  if (e.keyword === 'additionalProperties') {
    const extra = String((e.params as { additionalProperty?: string }).additionalProperty);
    return { key: key ? `${key}.${extra}` : extra, message: `unsupported argument '${extra}'` };
  }
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty?: string }).missingProperty);
    return { key: key ? `${key}.${missing}` : missing, message: `missing required argument '${missing}'` };
  }
  if (e.keyword === 'enum') {
    const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { key, message: `'${key}' must be one of: ${allowed.join(', ')}` };
  }
  return { key, message: `'${key || 'arguments'}' ${e.message ?? 'is invalid'}` };
}

/** The modules ovnctl knows, with their compiled argument schemas. */
export class ModuleRegistry {
  private readonly modules = new Map<string, ModuleDefinition<unknown>>();
  private readonly validators = new Map<string, Validator>();
  // Like Ansible's argument_spec, scalar strings are converted to the declared type ("30" -> 30),
  // since `{{ x | int }}` renders as text in Ansible's (non-native) templating (AJV_OPTIONS).
  private readonly cache: ValidatorCache;

  constructor(
    definitions: readonly ModuleDefinition<never>[],
    options: { validatorCacheDir?: string | undefined } = {},
  ) {
    for (const d of definitions) this.modules.set(d.name, d as unknown as ModuleDefinition<unknown>);
    this.cache = new ValidatorCache('validatorCacheDir' in options ? options.validatorCacheDir : CACHE_DIR);
  }

  resolve(name: string): string | undefined {
    const short = shortModuleName(name);
    return this.modules.has(short) ? short : undefined;
  }

  get(name: string): ModuleDefinition<unknown> {
    const m = this.modules.get(name);
    if (!m) throw new OvnctlError('internal', `module ${name} is not registered`);
    return m;
  }

  names(): string[] {
    return [...this.modules.keys()].sort();
  }

  private validator(name: string): Validator {
    const known = this.validators.get(name);
    if (known) return known;
    const def = this.get(name);
    const compiled = this.cache.get(def.schema, readFileSync(`${SCHEMA_DIR}${def.schema}.json`, 'utf8'));
    this.validators.set(name, compiled);
    return compiled;
  }

  /** Throw OvnctlError('schema') naming the module, key and location when `args` do not fit. */
  validate(
    name: string,
    args: unknown,
    location: SourceLocation | undefined,
    locateArg?: (keyPath: readonly string[]) => SourceLocation,
  ): void {
    const validator = this.validator(name);
    if (validator(args)) return;
    const first = validator.errors?.[0];
    const { key, message } = first ? describeAjvError(first) : { key: '', message: 'invalid arguments' };
    const keyPath = key ? key.split('.') : [];
    const at = locateArg ? locateArg(keyPath) : location;
    const loc = at ? { ...at, key: key ? `${name}.${key}` : name } : undefined;
    throw new OvnctlError('schema', `${name}: ${message}`, loc ? { location: loc } : {});
  }
}
