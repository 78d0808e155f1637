/**
 * Redaction of secrets from everything ovnctl prints or writes as a report: registered values
 * (vault plaintexts, passphrases, secret module arguments), and any PEM private key block.
 */

export const REDACTED = '********';

/**
 * Values shorter than this are not registered: redacting every "no" or "22" would shred the
 * output while protecting nothing (such values are guessable anyway).
 */
const MIN_SECRET_LENGTH = 4;
/** Lines of a multi-line secret are registered on their own only when long enough to be unique. */
const MIN_LINE_LENGTH = 8;

const PEM_PRIVATE_KEY =
  /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;
const PEM_ARMOR_LINE = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/** Replaces every `-----BEGIN ... PRIVATE KEY-----` block (also an unterminated one) wholesale. */
export function redactPem(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  return text.replace(PEM_PRIVATE_KEY, REDACTED);
}

export function looksLikePrivateKey(value: unknown): boolean {
  return typeof value === 'string' && /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/.test(value);
}

const SECRET_WORDS = new Set([
  'password',
  'passwd',
  'passphrase',
  'pass',
  'pwd',
  'secret',
  'token',
  'cookie',
  'credential',
  'credentials',
  'apikey',
]);
const SECRET_PAIRS = new Set(['private key', 'secret key', 'api key', 'encryption key', 'auth key']);

function words(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/**
 * Whether a variable or argument name holds a secret, judged by its last word(s) so that
 * `rabbitmq_password` and `ssl_private_key` are secret but `vault_password_file`,
 * `keystone_token_provider` and `private_key_path` are not. A name ending in `key` is secret
 * when its value is a PEM private key.
 */
export function looksSecret(key: string, value?: unknown): boolean {
  const w = words(key);
  const last = w[w.length - 1];
  if (last === undefined) return false;
  if (SECRET_WORDS.has(last)) return true;
  if (w.length >= 2 && SECRET_PAIRS.has(`${w[w.length - 2]} ${last}`)) return true;
  return last === 'key' && looksLikePrivateKey(value);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The secrets of one run; every text printed or reported goes through `redact`. */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH) return;
    const before = this.values.size;
    for (const form of secretForms(value)) this.values.add(form);
    if (this.values.size !== before) this.pattern = null;
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    const pattern = this.compiled();
    const redacted = pattern ? text.replace(pattern, REDACTED) : text;
    return redactPem(redacted);
  }

  /** A copy of a JSON-like value with every string redacted (keys are kept). */
  redactDeep(value: unknown): unknown {
    return this.redactValue(value, new WeakMap());
  }

  private redactValue(value: unknown, seen: WeakMap<object, unknown>): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (value === null || typeof value !== 'object') return value;
    const known = seen.get(value);
    if (known !== undefined) return known;
    if (Array.isArray(value)) {
      // The lines of one text (stdout_lines): a private key spread over items is only seen whole.
      if (value.some((v) => typeof v === 'string' && v.includes('PRIVATE KEY-----'))) {
        if (value.every((v) => typeof v === 'string')) {
          const lines = this.redact(value.join('\n')).split('\n');
          seen.set(value, lines);
          return lines;
        }
      }
      const out: unknown[] = [];
      seen.set(value, out);
      for (const item of value) out.push(this.redactValue(item, seen));
      return out;
    }
    if (Buffer.isBuffer(value)) return this.redact(value.toString('utf8'));
    if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
      // Class instances (VaultedValue, Date...) print through their own toString/toJSON.
      return value;
    }
    const out: Record<string, unknown> = {};
    seen.set(value, out);
    for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v, seen);
    return out;
  }

  private compiled(): RegExp | null {
    if (this.values.size === 0) return null;
    if (!this.pattern) {
      // Longest first, so a whole secret wins over one of its lines.
      const alternatives = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(alternatives.join('|'), 'g');
    }
    return this.pattern;
  }
}

/** The forms a secret takes in output: itself, JSON-escaped, base64, and each long line. */
function secretForms(value: string): string[] {
  const forms = [value];
  const jsonEscaped = JSON.stringify(value).slice(1, -1);
  if (jsonEscaped !== value) forms.push(jsonEscaped);
  forms.push(Buffer.from(value, 'utf8').toString('base64').replace(/=+$/, ''));
  if (value.includes('\n')) {
    for (const raw of value.split(/\r?\n/)) {
      const line = raw.trim();
      if (line.length >= MIN_LINE_LENGTH && !PEM_ARMOR_LINE.test(line)) forms.push(line);
    }
  }
  return forms;
}
