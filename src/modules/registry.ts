import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { OvnctlError, type SourceLocation } from '../errors.js';
import { shortModuleName } from '../playbook/keywords.js';
import type { ModuleDefinition } from './types.js';

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/modules/', import.meta.url));

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
  private readonly validators = new Map<string, ValidateFunction>();
  // Like Ansible's argument_spec, scalar strings are converted to the declared type ("30" -> 30),
  // since `{{ x | int }}` renders as text in Ansible's (non-native) templating.
  private readonly ajv = new Ajv({ allErrors: false, strict: false, useDefaults: false, coerceTypes: true });

  constructor(definitions: readonly ModuleDefinition<never>[]) {
    for (const d of definitions) this.modules.set(d.name, d as unknown as ModuleDefinition<unknown>);
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

  private validator(name: string): ValidateFunction {
    const known = this.validators.get(name);
    if (known) return known;
    const def = this.get(name);
    const schema: unknown = JSON.parse(readFileSync(`${SCHEMA_DIR}${def.schema}.json`, 'utf8'));
    const compiled = this.ajv.compile(schema as object);
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
