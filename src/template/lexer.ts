import { templateError } from './errors.js';

export type TokenType =
  | 'data'
  | 'var_begin'
  | 'var_end'
  | 'block_begin'
  | 'block_end'
  | 'name'
  | 'string'
  | 'int'
  | 'float'
  | 'op'
  | 'eof';

export interface Token {
  type: TokenType;
  /** Text for data/name/string/op; the number for int/float. */
  value: string;
  num: number;
  line: number;
}

export interface LexOptions {
  trimBlocks: boolean;
  /** Ansible doubles backslashes inside `{{ }}` string literals, so escapes there stay literal. */
  rawVariableStrings: boolean;
}

const WS = /\s+/y;
const FLOAT = /(?<!\.)(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?[eE][+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/y;
const INTEGER = /(?:0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0[xX](?:_?[\da-fA-F])+|[1-9](?:_?\d)*|0(?:_?0)*)/y;
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const STRING = /'([^'\\]*(?:\\[\s\S][^'\\]*)*)'|"([^"\\]*(?:\\[\s\S][^"\\]*)*)"/y;
const OPERATOR = /\/\/|\*\*|==|!=|>=|<=|[-+*/%~<>=.,:|()[\]{};]/y;
const RAW_BEGIN = /\{%[-+]?\s*raw\s*(-?)%\}/y;
const RAW_END = /\{%(-?)[+]?\s*endraw\s*(-?)%\}/g;
const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

function countLines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

const SIMPLE_ESCAPES: Record<string, string> = {
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

/** Python's unicode-escape decoding, which Jinja applies to string literals. */
export function decodeEscapes(s: string): string {
  if (!s.includes('\\')) return s;
  return s.replace(
    /\\(x[\da-fA-F]{2}|u[\da-fA-F]{4}|U[\da-fA-F]{8}|[0-7]{1,3}|[\s\S])/g,
    (all, esc: string) => {
      const simple = SIMPLE_ESCAPES[esc];
      if (simple !== undefined) return simple;
      const c = esc[0];
      if (c === 'x' || c === 'u' || c === 'U') return String.fromCodePoint(Number.parseInt(esc.slice(1), 16));
      if (c !== undefined && c >= '0' && c <= '7') return String.fromCodePoint(Number.parseInt(esc, 8));
      return all;
    },
  );
}

class Lexer {
  readonly tokens: Token[] = [];
  private pos = 0;
  private line = 1;

  constructor(
    private readonly src: string,
    private readonly opts: LexOptions,
  ) {}

  run(): Token[] {
    const src = this.src;
    while (this.pos < src.length) {
      const start = this.findTagStart(this.pos);
      if (start === -1) {
        this.data(src.slice(this.pos));
        this.pos = src.length;
        break;
      }
      const kind = src[start + 1];
      const mod = src[start + 2];
      let text = src.slice(this.pos, start);
      if (mod === '-') text = text.replace(/\s+$/, '');
      this.data(text);
      this.line += countLines(src.slice(this.pos + text.length, start));
      this.pos = start;
      if (kind === '#') this.comment();
      else if (kind === '%' && this.raw()) continue;
      else this.tag(kind === '%');
    }
    this.push('eof', '', 0);
    return this.tokens;
  }

  private findTagStart(from: number): number {
    let i = this.src.indexOf('{', from);
    while (i !== -1) {
      const c = this.src[i + 1];
      if (c === '{' || c === '%' || c === '#') return i;
      i = this.src.indexOf('{', i + 1);
    }
    return -1;
  }

  private push(type: TokenType, value: string, num: number): void {
    this.tokens.push({ type, value, num, line: this.line });
  }

  private data(text: string): void {
    if (text === '') return;
    this.push('data', text.replace(/\r\n?/g, '\n'), 0);
    this.line += countLines(text);
  }

  /** After a `%}` or `#}`: `-` strips all following whitespace, trim_blocks one newline. */
  private afterBlockEnd(stripAfter: boolean, trim: boolean): void {
    if (stripAfter) {
      WS.lastIndex = this.pos;
      const m = WS.exec(this.src);
      if (m) this.advance(m[0]);
    } else if (trim && this.src[this.pos] === '\n') {
      this.advance('\n');
    }
  }

  private advance(text: string): void {
    this.pos += text.length;
    this.line += countLines(text);
  }

  private comment(): void {
    const end = this.src.indexOf('#}', this.pos + 2);
    if (end === -1) throw templateError(`missing end of comment tag (line ${this.line})`);
    const strip = end > this.pos + 2 && this.src[end - 1] === '-';
    this.advance(this.src.slice(this.pos, end + 2));
    this.afterBlockEnd(strip, this.opts.trimBlocks);
  }

  private raw(): boolean {
    RAW_BEGIN.lastIndex = this.pos;
    const begin = RAW_BEGIN.exec(this.src);
    if (!begin) return false;
    this.advance(begin[0]);
    this.afterBlockEnd(begin[1] === '-', false);
    RAW_END.lastIndex = this.pos;
    const end = RAW_END.exec(this.src);
    if (!end) throw templateError(`missing end of raw directive (line ${this.line})`);
    let body = this.src.slice(this.pos, end.index);
    if (end[1] === '-') body = body.replace(/\s+$/, '');
    this.data(body);
    this.pos = end.index;
    this.advance(end[0]);
    this.afterBlockEnd(end[2] === '-', this.opts.trimBlocks);
    return true;
  }

  private tag(block: boolean): void {
    const src = this.src;
    const close = block ? '%}' : '}}';
    this.push(block ? 'block_begin' : 'var_begin', '', 0);
    this.pos += 2;
    if (src[this.pos] === '-' || src[this.pos] === '+') this.pos++;
    const stack: string[] = [];
    const rawStrings = !block && this.opts.rawVariableStrings;
    for (;;) {
      if (this.pos >= src.length) throw templateError(`unexpected end of template, expected '${close}'`);
      WS.lastIndex = this.pos;
      const ws = WS.exec(src);
      if (ws) {
        this.advance(ws[0]);
        continue;
      }
      if (stack.length === 0) {
        const strip = src.startsWith(`-${close}`, this.pos);
        if (strip || src.startsWith(close, this.pos)) {
          this.pos += strip ? 3 : 2;
          this.push(block ? 'block_end' : 'var_end', '', 0);
          this.afterBlockEnd(strip, block && this.opts.trimBlocks);
          return;
        }
      }
      this.exprToken(stack, rawStrings);
    }
  }

  private match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    return m ? m[0] : undefined;
  }

  private exprToken(stack: string[], rawStrings: boolean): void {
    const float = this.match(FLOAT);
    if (float !== undefined) {
      this.push('float', float, Number(float.replaceAll('_', '')));
      this.pos += float.length;
      return;
    }
    const int = this.match(INTEGER);
    if (int !== undefined) {
      this.push('int', int, parseIntLiteral(int));
      this.pos += int.length;
      return;
    }
    const name = this.match(NAME);
    if (name !== undefined) {
      this.push('name', name, 0);
      this.pos += name.length;
      return;
    }
    STRING.lastIndex = this.pos;
    const str = STRING.exec(this.src);
    if (str) {
      const body = (str[1] ?? str[2] ?? '').replace(/\r\n?/g, '\n');
      this.push('string', rawStrings ? body : decodeEscapes(body), 0);
      this.advance(str[0]);
      return;
    }
    const op = this.match(OPERATOR);
    if (op === undefined) {
      const ch = this.src[this.pos];
      throw templateError(`unexpected char '${ch}' in template (line ${this.line})`);
    }
    if (OPEN[op]) stack.push(OPEN[op]);
    else if (op === ')' || op === ']' || op === '}') {
      const want = stack.pop();
      if (want !== op) throw templateError(`unexpected '${op}' in template (line ${this.line})`);
    }
    this.push('op', op, 0);
    this.pos += op.length;
  }
}

function parseIntLiteral(text: string): number {
  const t = text.replaceAll('_', '').toLowerCase();
  if (t.startsWith('0b')) return Number.parseInt(t.slice(2), 2);
  if (t.startsWith('0o')) return Number.parseInt(t.slice(2), 8);
  if (t.startsWith('0x')) return Number.parseInt(t.slice(2), 16);
  return Number(t);
}

export function tokenize(src: string, opts: LexOptions): Token[] {
  return new Lexer(src, opts).run();
}
