const DOUBLE_ESCAPES: Record<string, string> = {
  '\0': '0',
  '\x07': 'a',
  '\b': 'b',
  '\t': 't',
  '\n': 'n',
  '\v': 'v',
  '\f': 'f',
  '\r': 'r',
  '\x1b': 'e',
  '"': '"',
  '\\': '\\',
  '\x85': 'N',
  '\xa0': '_',
  '\u2028': 'L',
  '\u2029': 'P',
};
const BREAK_CHARS = '\n\x85\u2028\u2029';

/**
 * PyYAML's emitter bookkeeping (column, indentation, whitespace flags) and scalar writers, as
 * Ansible runs them through libyaml (CSafeDumper).
 */
export class YamlWriter {
  protected out = '';
  protected column = 0;
  protected indent: number | null = null;
  protected readonly indents: (number | null)[] = [];
  protected flowLevel = 0;
  protected whitespace = true;
  protected indention = true;
  protected mappingContext = false;
  protected simpleKey = false;

  constructor(
    protected readonly width: number,
    protected readonly bestIndent: number,
  ) {}

  protected write(s: string): void {
    this.out += s;
    this.column += Array.from(s).length;
  }

  protected writeIndicator(ind: string, needWs: boolean, whitespace = false, indention = false): void {
    this.write(this.whitespace || !needWs ? ind : ` ${ind}`);
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
  }

  protected writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.lineBreak();
    if (this.column < indent) {
      this.whitespace = true;
      this.write(' '.repeat(indent - this.column));
    }
  }

  protected lineBreak(br = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.out += br;
    this.column = 0;
  }

  protected increaseIndent(flow: boolean, indentless = false): void {
    this.indents.push(this.indent);
    if (this.indent === null) this.indent = flow ? this.bestIndent : 0;
    else if (!indentless) this.indent += this.bestIndent;
  }

  protected popIndent(): void {
    this.indent = this.indents.pop() ?? null;
  }

  protected writeBreaks(chs: string[], start: number, end: number): void {
    if (chs[start] === '\n') this.lineBreak();
    for (const br of chs.slice(start, end)) this.lineBreak(br === '\n' ? '\n' : br);
    this.writeIndent();
  }

  protected plain(text: string, split: boolean): void {
    if (text === '') return;
    if (!this.whitespace) this.write(' ');
    this.whitespace = false;
    this.indention = false;
    this.spanned(text, split, false);
  }

  protected singleQuoted(text: string, split: boolean): void {
    this.writeIndicator("'", true);
    this.spanned(text, split, true);
    this.writeIndicator("'", false);
  }

  /** The shared loop of write_plain / write_single_quoted: fold long lines at spaces. */
  protected spanned(text: string, split: boolean, quoted: boolean): void {
    const chs = Array.from(text);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= chs.length; end++) {
      const ch = end < chs.length ? (chs[end] as string) : null;
      if (spaces) {
        if (ch !== ' ') {
          const fold = start + 1 === end && this.column > this.width && split;
          if (fold && (!quoted || (start !== 0 && end !== chs.length))) {
            this.writeIndent();
            if (!quoted) {
              this.whitespace = false;
              this.indention = false;
            }
          } else {
            this.write(chs.slice(start, end).join(''));
          }
          start = end;
        }
      } else if (breaks) {
        if (ch === null || !BREAK_CHARS.includes(ch)) {
          this.writeBreaks(chs, start, end);
          if (!quoted) {
            this.whitespace = false;
            this.indention = false;
          }
          start = end;
        }
      } else if (ch === null || ` ${BREAK_CHARS}`.includes(ch) || (quoted && ch === "'")) {
        if (start < end) {
          this.write(chs.slice(start, end).join(''));
          start = end;
        }
      }
      if (quoted && ch === "'") {
        this.write("''");
        start = end + 1;
      }
      if (ch !== null) {
        spaces = ch === ' ';
        breaks = BREAK_CHARS.includes(ch);
      }
    }
  }

  protected doubleQuoted(text: string, split: boolean): void {
    this.writeIndicator('"', true);
    const chs = Array.from(text);
    let start = 0;
    for (let end = 0; end <= chs.length; end++) {
      const ch = end < chs.length ? (chs[end] as string) : null;
      const cp = ch === null ? 0 : (ch.codePointAt(0) ?? 0);
      const plainChar =
        (cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd);
      if (ch === null || '"\\\x85\u2028\u2029\ufeff'.includes(ch) || !plainChar) {
        if (start < end) {
          this.write(chs.slice(start, end).join(''));
          start = end;
        }
        if (ch !== null) {
          const esc = DOUBLE_ESCAPES[ch];
          const hex = cp.toString(16).toUpperCase();
          this.write(
            esc !== undefined
              ? `\\${esc}`
              : cp <= 0xff
                ? `\\x${hex.padStart(2, '0')}`
                : cp <= 0xffff
                  ? `\\u${hex.padStart(4, '0')}`
                  : `\\U${hex.padStart(8, '0')}`,
          );
          start = end + 1;
        }
      }
      if (
        end > 0 &&
        end < chs.length - 1 &&
        (ch === ' ' || start >= end) &&
        this.column + (end - start) > this.width &&
        split
      ) {
        const data = `${chs.slice(start, end).join('')}\\`;
        if (start < end) start = end;
        this.write(data);
        this.writeIndent();
        this.whitespace = false;
        this.indention = false;
        if (chs[start] === ' ') this.write('\\');
      }
    }
    this.writeIndicator('"', false);
  }
}
