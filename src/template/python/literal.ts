import { makeTuple, pyFloat } from './values.js';

/** Thrown inside the parser when the text is not a Python literal. */
class NotLiteral extends Error {}

const NAMES: Record<string, unknown> = {
  True: true,
  False: false,
  None: null,
  true: true,
  false: false,
  null: null,
};
const ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\n': '',
};
const NUMBER =
  /(?:0[xX](?:_?[\da-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?)[jJ]?/y;

/**
 * Python's ast.literal_eval (with Ansible's JSON names true/false/null), enough for
 * the text Ansible feeds it: reprs of lists, dicts, strings, numbers, bools and None.
 */
class LiteralParser {
  private i = 0;

  constructor(private readonly s: string) {}

  parse(): unknown {
    const v = this.tupleOrValue(true);
    this.skip();
    if (this.i < this.s.length) throw new NotLiteral();
    return v;
  }

  private skip(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s[this.i] as string;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.i++;
      else if (c === '#') while (this.i < s.length && s[this.i] !== '\n') this.i++;
      else if (c === '\\' && s[this.i + 1] === '\n') this.i += 2;
      else break;
    }
  }

  private peek(): string {
    this.skip();
    return this.s[this.i] ?? '';
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }

  private tupleOrValue(top: boolean): unknown {
    const first = this.value();
    if (!(top && this.peek() === ',')) return first;
    const items = [first];
    while (this.eat(',')) {
      if (this.i >= this.s.length || this.peek() === '') break;
      items.push(this.value());
    }
    return makeTuple(items);
  }

  private seq(close: string, item: () => void): void {
    while (!this.eat(close)) {
      item();
      if (!this.eat(',')) {
        if (!this.eat(close)) throw new NotLiteral();
        return;
      }
    }
  }

  private value(): unknown {
    const c = this.peek();
    if (c === '[') {
      this.i++;
      const out: unknown[] = [];
      this.seq(']', () => out.push(this.value()));
      return out;
    }
    if (c === '(') {
      this.i++;
      if (this.eat(')')) return makeTuple([]);
      const first = this.value();
      if (this.eat(')')) return first;
      if (!this.eat(',')) throw new NotLiteral();
      const out = [first];
      this.seq(')', () => out.push(this.value()));
      return makeTuple(out);
    }
    if (c === '{') {
      this.i++;
      const out: Record<string, unknown> = {};
      this.seq('}', () => {
        const k = this.value();
        if (!this.eat(':')) throw new NotLiteral(); // sets are not supported
        if (typeof k === 'object' && k !== null) throw new NotLiteral();
        out[k === null ? 'None' : String(k)] = this.value();
      });
      return out;
    }
    if (c === '-' || c === '+') {
      this.i++;
      const v = this.number();
      return c === '-' ? (typeof v === 'number' ? 0 - v : pyFloat(-(v as { value: number }).value)) : v;
    }
    if (/[\d.]/.test(c)) return this.number();
    return this.stringsOrName();
  }

  private number(): unknown {
    this.skip();
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.s);
    const text = m?.[0] ?? '';
    if (text === '' || text === '.' || /[jJ]$/.test(text)) throw new NotLiteral();
    this.i += text.length;
    const t = text.replaceAll('_', '').toLowerCase();
    if (/^0[xob]/.test(t)) return Number.parseInt(t.slice(2), t[1] === 'x' ? 16 : t[1] === 'o' ? 8 : 2);
    if (/[.e]/.test(t)) return pyFloat(Number(t));
    if (/^0+\d/.test(t)) throw new NotLiteral();
    return Number(t);
  }

  private stringsOrName(): unknown {
    const name = /[A-Za-z_]\w*/y;
    name.lastIndex = this.i;
    const m = name.exec(this.s);
    const word = m?.[0] ?? '';
    const prefix = word.toLowerCase();
    const quote = this.s[this.i + word.length];
    if ((quote === "'" || quote === '"') && (prefix === '' || prefix === 'r' || prefix === 'u')) {
      let out = '';
      while (this.peekString()) out += this.string();
      return out;
    }
    if (word !== '' && Object.hasOwn(NAMES, word)) {
      this.i += word.length;
      return NAMES[word];
    }
    throw new NotLiteral();
  }

  private peekString(): boolean {
    this.skip();
    const m = /(?:[rRuU])?['"]/y;
    m.lastIndex = this.i;
    return m.test(this.s);
  }

  private string(): string {
    const s = this.s;
    let raw = false;
    if (/[rRuU]/.test(s[this.i] as string)) raw = /[rR]/.test(s[this.i++] as string);
    const q = s[this.i] as string;
    const triple = s.startsWith(q.repeat(3), this.i);
    const close = triple ? q.repeat(3) : q;
    this.i += close.length;
    let out = '';
    for (;;) {
      if (this.i >= s.length) throw new NotLiteral();
      if (s.startsWith(close, this.i)) {
        this.i += close.length;
        return out;
      }
      const c = s[this.i] as string;
      if (c === '\n' && !triple) throw new NotLiteral();
      if (c !== '\\') {
        out += c;
        this.i++;
        continue;
      }
      const next = s[this.i + 1] ?? '';
      if (raw) {
        out += c + next;
        this.i += 2;
        continue;
      }
      out += this.escape(next);
    }
  }

  private escape(next: string): string {
    const s = this.s;
    const simple = ESCAPES[next];
    if (simple !== undefined) {
      this.i += 2;
      return simple;
    }
    const hex = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hex > 0) {
      const digits = s.slice(this.i + 2, this.i + 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) throw new NotLiteral();
      this.i += 2 + hex;
      return String.fromCodePoint(Number.parseInt(digits, 16));
    }
    const oct = /[0-7]{1,3}/y;
    oct.lastIndex = this.i + 1;
    const m = oct.exec(s);
    if (m) {
      this.i += 1 + m[0].length;
      return String.fromCodePoint(Number.parseInt(m[0], 8));
    }
    if (next === 'N') throw new NotLiteral();
    this.i += 2;
    return `\\${next}`;
  }
}

export function literalEval(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: new LiteralParser(s).parse() };
  } catch (e) {
    if (e instanceof NotLiteral) return { ok: false };
    throw e;
  }
}
