import { type DumpOptions, type Node, represent } from './yaml-represent.js';
import { analyzeScalar, plainIsString } from './yaml-scalar.js';
import { YamlWriter } from './yaml-writer.js';

export type { DumpOptions };

/**
 * Block and flow collections on top of YamlWriter (PyYAML's expect_* states as recursion).
 * libyaml, unlike pure-Python PyYAML, ends no document with `...` and writes no `---` for ''.
 */
class Emitter extends YamlWriter {
  constructor(private readonly o: DumpOptions) {
    super(o.width, o.indent);
  }

  dump(node: Node): string {
    if (this.o.explicitStart) {
      this.writeIndent();
      this.writeIndicator('---', true);
    }
    this.node(node, {});
    this.writeIndent();
    return this.out;
  }

  private node(n: Node, ctx: { mapping?: boolean; simpleKey?: boolean }): void {
    this.mappingContext = ctx.mapping ?? false;
    this.simpleKey = ctx.simpleKey ?? false;
    if (n.kind === 'scalar') {
      this.increaseIndent(true);
      this.scalar(n);
      this.popIndent();
    } else if (n.kind === 'seq') {
      if (this.flowLevel > 0 || n.flow || n.items.length === 0) this.flowSeq(n.items);
      else this.blockSeq(n.items);
    } else if (this.flowLevel > 0 || n.flow || n.pairs.length === 0) this.flowMap(n.pairs);
    else this.blockMap(n.pairs);
  }

  private flowSeq(items: Node[]): void {
    this.writeIndicator('[', true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    items.forEach((item, i) => {
      if (i > 0) this.writeIndicator(',', false);
      if (this.column > this.width) this.writeIndent();
      this.node(item, {});
    });
    this.popIndent();
    this.flowLevel--;
    this.writeIndicator(']', false);
  }

  private flowMap(pairs: [Node, Node][]): void {
    this.writeIndicator('{', true, true);
    this.flowLevel++;
    this.increaseIndent(true);
    pairs.forEach(([k, v], i) => {
      if (i > 0) this.writeIndicator(',', false);
      if (this.column > this.width) this.writeIndent();
      if (this.isSimpleKey(k)) {
        this.node(k, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true);
        this.node(k, { mapping: true });
        if (this.column > this.width) this.writeIndent();
        this.writeIndicator(':', true);
      }
      this.node(v, { mapping: true });
    });
    this.popIndent();
    this.flowLevel--;
    this.writeIndicator('}', false);
  }

  private blockSeq(items: Node[]): void {
    this.increaseIndent(false, this.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, {});
    }
    this.popIndent();
  }

  private blockMap(pairs: [Node, Node][]): void {
    this.increaseIndent(false);
    for (const [k, v] of pairs) {
      this.writeIndent();
      if (this.isSimpleKey(k)) {
        this.node(k, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.node(k, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(v, { mapping: true });
    }
    this.popIndent();
  }

  private isSimpleKey(k: Node): boolean {
    if (k.kind !== 'scalar') return (k.kind === 'seq' ? k.items.length : k.pairs.length) === 0;
    const a = analyzeScalar(k.value);
    return Array.from(a.scalar).length < 128 && !a.empty && !a.multiline;
  }

  private scalar(n: Node & { kind: 'scalar' }): void {
    const a = analyzeScalar(n.value);
    const implicitPlain = !n.isString || plainIsString(n.value);
    const split = !this.simpleKey;
    if (
      implicitPlain &&
      !(this.simpleKey && (a.empty || a.multiline)) &&
      ((this.flowLevel > 0 && a.allowFlowPlain) || (this.flowLevel === 0 && a.allowBlockPlain))
    ) {
      this.plain(a.scalar, split);
    } else if (a.allowSingleQuoted && !(this.simpleKey && a.multiline)) {
      this.singleQuoted(a.scalar, split);
    } else {
      this.doubleQuoted(a.scalar, split);
    }
  }
}

/** yaml.dump(value, Dumper=AnsibleDumper, allow_unicode=True, ...). */
export function yamlDump(value: unknown, o: DumpOptions): string {
  return new Emitter(o).dump(represent(value, o));
}
