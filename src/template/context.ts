import { types as utilTypes } from 'node:util';
import { OvnctlError, type SourceLocation } from '../errors.js';
import { UnsafeText, VaultedValue } from '../yaml/tags.js';
import { templateError } from './errors.js';
import { isTuple, makeTuple } from './python/values.js';
import { Undefined } from './undefined.js';

export type Vars = Readonly<Record<string, unknown>>;

export interface Settings {
  location: SourceLocation | undefined;
  decryptVault: ((v: import('../yaml/tags.js').VaultedValue) => string) | undefined;
  trimBlocks: boolean;
  escapeBackslashes: boolean;
  /** Ansible's convert_data: false gives plain text (the template module), true native values. */
  convertData: boolean;
}

/** How Ansible renders variables lazily, whatever the outer template's options. */
export const NESTED_SETTINGS = { trimBlocks: true, escapeBackslashes: true, convertData: true } as const;

/** What one top-level render shares with the variables it renders lazily. */
export interface Env {
  vars: Vars;
  settings: Settings;
  /** Variables being rendered lazily right now (outermost first), to catch loops. */
  chain: readonly string[];
  /** Renders a template string the way renderString does (injected to avoid an import cycle). */
  render: (text: string, env: Env) => unknown;
}

const MAX_DEPTH = 50;

export function isPossiblyTemplate(s: string): boolean {
  return s.includes('{{') || s.includes('{%') || s.includes('{#');
}

function isPlainContainer(v: object): boolean {
  if (Array.isArray(v)) return true;
  if (utilTypes.isProxy(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function decrypt(v: VaultedValue, label: string, env: Env): string {
  const fn = env.settings.decryptVault;
  if (!fn) {
    throw new OvnctlError(
      'invalid-input',
      `variable '${label}' is vault-encrypted and no vault secret was given`,
      {
        hint: 'pass --vault-password-file or --ask-vault-pass',
      },
    );
  }
  return fn(v);
}

function renderLazy(text: string, label: string, env: Env): unknown {
  if (env.chain.length >= MAX_DEPTH || env.chain.includes(label)) {
    throw templateError(
      `recursive loop detected in template (variables: ${[...env.chain, label].join(' -> ')})`,
    );
  }
  try {
    return env.render(text, { ...env, chain: [...env.chain, label] });
  } catch (e) {
    // As Ansible does: a variable whose template fails on an undefined name is itself undefined.
    if (e instanceof OvnctlError && e.code === 'undefined-variable') {
      return new Undefined(label, `${e.message} (in the value of '${label}')`);
    }
    throw e;
  }
}

// Whether a container from vars holds anything to render lazily. Templates never change vars
// in place (see Frame.rebind), so the answer is cached per container.
const needsCache = new WeakMap<object, boolean>();

function needsResolve(v: unknown): boolean {
  if (typeof v === 'string') return v.includes('{') && isPossiblyTemplate(v);
  if (typeof v !== 'object' || v === null) return false;
  if (v instanceof UnsafeText || v instanceof VaultedValue) return true;
  if (!isPlainContainer(v)) return false;
  const cached = needsCache.get(v);
  if (cached !== undefined) return cached;
  needsCache.set(v, false); // cyclic structures terminate
  const result = (Array.isArray(v) ? v : Object.values(v)).some(needsResolve);
  needsCache.set(v, result);
  return result;
}

/** A copy of a container from vars with its templates rendered (Ansible templates vars deeply). */
function resolveDeep(v: object, label: string, env: Env): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const r = resolveValue(x, label, env);
      if (r instanceof Undefined && !r.lenient) return r;
      out.push(r);
    }
    return isTuple(v) ? makeTuple(out) : out;
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const r = resolveValue((v as Record<string, unknown>)[k], label, env);
    if (r instanceof Undefined && !r.lenient) return r;
    out[k] = r;
  }
  return out;
}

/**
 * Ansible's lazy variables: a looked-up value that is (or holds) a template string is rendered
 * with the same vars before use; !unsafe text is used as is; !vault values are decrypted.
 * Containers without any of these come back as they are (no copy).
 */
export function resolveValue(v: unknown, label: string, env: Env): unknown {
  if (typeof v === 'string') return v.includes('{') && isPossiblyTemplate(v) ? renderLazy(v, label, env) : v;
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof UnsafeText) return v.text;
  if (v instanceof VaultedValue) return decrypt(v, label, env);
  return needsResolve(v) ? resolveDeep(v, label, env) : v;
}
