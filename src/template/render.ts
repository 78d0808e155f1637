import { OvnctlError } from '../errors.js';
import type { Expr, Stmt, Target } from './ast.js';
import { templateError } from './errors.js';
import { Evaluator } from './evaluate.js';
import type { Frame } from './frame.js';
import { Output } from './output.js';
import { truthy } from './python/ops.js';
import { pyIter, typeName } from './python/types.js';
import { Namespace, PyFunction } from './python/values.js';
import { shortName } from './runtime.js';
import { Undefined } from './undefined.js';

// Filters whose output Ansible marks as text so it is never turned back into a list or dict.
const STRING_TYPE_FILTERS = new Set([
  'string',
  'to_json',
  'to_nice_json',
  'to_yaml',
  'to_nice_yaml',
  'ppretty',
  'json',
]);

const annotated = new WeakSet<object>();

/** Names the template line in errors from multi-line templates (innermost statement wins). */
function withTemplateLine(e: unknown, line: number): unknown {
  if (!(e instanceof OvnctlError) || annotated.has(e)) return e;
  const err = new OvnctlError(e.code, `${e.message} (template line ${line})`, {
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    ...(e.location === undefined ? {} : { location: e.location }),
    ...(e.cause === undefined ? {} : { cause: e.cause }),
  });
  annotated.add(err);
  return err;
}

function assign(frame: Frame, target: Target, value: unknown): void {
  switch (target.kind) {
    case 'name':
      frame.set(target.name, value);
      return;
    case 'tuple': {
      const items = pyIter(value);
      if (items.length !== target.names.length) {
        const what = items.length > target.names.length ? 'too many' : 'not enough';
        throw templateError(
          `${what} values to unpack (expected ${target.names.length}, got ${items.length})`,
        );
      }
      target.names.forEach((n, i) => {
        frame.set(n, items[i]);
      });
      return;
    }
    case 'nsattr': {
      const ns = frame.lookup(target.ns);
      if (!(ns instanceof Namespace))
        throw templateError(`can only assign attributes of a namespace(), not of ${typeName(ns)}`);
      ns.attrs[target.attr] = value;
    }
  }
}

function loopContext(items: unknown[], i: number): Record<string, unknown> {
  const n = items.length;
  return {
    index: i + 1,
    index0: i,
    revindex: n - i,
    revindex0: n - i - 1,
    first: i === 0,
    last: i === n - 1,
    length: n,
    depth: 1,
    depth0: 0,
    previtem: i > 0 ? items[i - 1] : new Undefined('loop.previtem', 'there is no previous item'),
    nextitem: i < n - 1 ? items[i + 1] : new Undefined('loop.nextitem', 'there is no next item'),
    cycle: new PyFunction('cycle', (args) => {
      if (args.length === 0) throw templateError('no items for cycling given');
      return args[i % args.length];
    }),
  };
}

/** Renders statements into an Output, Jinja-style (for loops get their own scope per iteration). */
export class Renderer {
  private readonly ev: Evaluator;

  constructor(
    private readonly frame: Frame,
    private readonly multiLine = false,
  ) {
    this.ev = new Evaluator(frame);
  }

  /** The value of a `{{ }}` and whether Ansible would keep it as text (string-type filters). */
  private outputValue(e: Expr): [unknown, boolean] {
    if (e.kind === 'filter' && STRING_TYPE_FILTERS.has(shortName(e.name))) return [this.ev.eval(e), true];
    if (e.kind === 'cond') {
      if (truthy(this.ev.eval(e.test))) return this.outputValue(e.ifTrue);
      if (e.otherwise) return this.outputValue(e.otherwise);
    }
    return [this.ev.eval(e), false];
  }

  body(stmts: Stmt[], out: Output): void {
    for (const s of stmts) this.stmt(s, out);
  }

  private stmt(s: Stmt, out: Output): void {
    if (!this.multiLine || s.kind === 'text') {
      this.exec(s, out);
      return;
    }
    try {
      this.exec(s, out);
    } catch (e) {
      throw withTemplateLine(e, s.line);
    }
  }

  private exec(s: Stmt, out: Output): void {
    switch (s.kind) {
      case 'text':
        out.text(s.text);
        return;
      case 'output': {
        const [v, nativeText] = this.outputValue(s.expr);
        out.value(v, nativeText);
        return;
      }
      case 'if':
        for (const b of s.branches) {
          if (truthy(this.ev.eval(b.test))) {
            this.body(b.body, out);
            return;
          }
        }
        if (s.otherwise) this.body(s.otherwise, out);
        return;
      case 'for':
        this.forLoop(s, out);
        return;
      case 'set':
        assign(this.frame, s.target, this.ev.eval(s.value));
        return;
      case 'setblock': {
        const inner = new Output();
        this.body(s.body, inner);
        let v: unknown = inner.joined();
        for (const f of s.filters)
          v = this.ev.filter(f.name, v, this.ev.evalArgs(f.args), this.ev.evalKwargs(f.kwargs));
        assign(this.frame, s.target, v);
        return;
      }
      case 'with': {
        const values = s.assigns.map(([n, e]) => [n, this.ev.eval(e)] as const);
        this.frame.push();
        try {
          for (const [n, v] of values) this.frame.set(n, v);
          this.body(s.body, out);
        } finally {
          this.frame.pop();
        }
      }
    }
  }

  private forLoop(s: Stmt & { kind: 'for' }, out: Output): void {
    let items = pyIter(this.ev.eval(s.iter));
    if (s.filter) {
      const filter = s.filter;
      items = items.filter((item) => {
        this.frame.push();
        try {
          assign(this.frame, s.target, item);
          return truthy(this.ev.eval(filter));
        } finally {
          this.frame.pop();
        }
      });
    }
    if (items.length === 0) {
      if (s.otherwise) this.body(s.otherwise, out);
      return;
    }
    items.forEach((item, i) => {
      this.frame.push();
      try {
        this.frame.set('loop', loopContext(items, i));
        assign(this.frame, s.target, item);
        this.body(s.body, out);
      } finally {
        this.frame.pop();
      }
    });
  }
}
