import { templateError } from './errors.js';
import type { Token } from './lexer.js';

/** A cursor over the lexer's tokens with Jinja's test helpers. */
export class TokenStream {
  private i = 0;

  constructor(private readonly tokens: Token[]) {}

  get current(): Token {
    return this.tokens[this.i] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  peek(n = 1): Token {
    return this.tokens[this.i + n] ?? (this.tokens[this.tokens.length - 1] as Token);
  }

  next(): Token {
    const t = this.current;
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  isOp(op: string): boolean {
    const t = this.current;
    return t.type === 'op' && t.value === op;
  }

  isName(name: string): boolean {
    const t = this.current;
    return t.type === 'name' && t.value === name;
  }

  skipOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  skipName(name: string): boolean {
    if (!this.isName(name)) return false;
    this.next();
    return true;
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) this.fail(`expected '${op}'`);
    return this.next();
  }

  expectName(name?: string): Token {
    const t = this.current;
    if (t.type !== 'name' || (name !== undefined && t.value !== name)) {
      this.fail(name === undefined ? 'expected a name' : `expected '${name}'`);
    }
    return this.next();
  }

  expect(type: Token['type']): Token {
    if (this.current.type !== type) this.fail(`expected ${describe(type)}`);
    return this.next();
  }

  fail(message: string): never {
    const t = this.current;
    throw templateError(`template syntax error: ${message}, got ${describeToken(t)} (line ${t.line})`);
  }
}

function describe(type: Token['type']): string {
  switch (type) {
    case 'var_end':
      return "end of print statement '}}'";
    case 'block_end':
      return "end of statement block '%}'";
    case 'eof':
      return 'end of template';
    default:
      return type;
  }
}

function describeToken(t: Token): string {
  if (t.type === 'op' || t.type === 'name') return `'${t.value}'`;
  if (t.type === 'string') return 'a string';
  if (t.type === 'int' || t.type === 'float') return `'${t.value}'`;
  return describe(t.type);
}
