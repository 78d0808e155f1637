/** Expression nodes. `line` is the template line, for error messages. */
export type Expr =
  | { kind: 'const'; value: unknown; line: number }
  | { kind: 'name'; name: string; line: number }
  | { kind: 'list'; items: Expr[]; line: number }
  | { kind: 'tuple'; items: Expr[]; line: number }
  | { kind: 'dict'; pairs: [Expr, Expr][]; line: number }
  | { kind: 'getattr'; obj: Expr; attr: string; line: number }
  | { kind: 'getitem'; obj: Expr; index: Expr; line: number }
  | { kind: 'slice'; start: Expr | null; stop: Expr | null; step: Expr | null; line: number }
  | { kind: 'call'; fn: Expr; args: Expr[]; kwargs: [string, Expr][]; line: number }
  | { kind: 'filter'; value: Expr; name: string; args: Expr[]; kwargs: [string, Expr][]; line: number }
  | { kind: 'test'; value: Expr; name: string; args: Expr[]; kwargs: [string, Expr][]; line: number }
  | { kind: 'not'; operand: Expr; line: number }
  | { kind: 'neg'; op: '-' | '+'; operand: Expr; line: number }
  | { kind: 'binop'; op: string; left: Expr; right: Expr; line: number }
  | { kind: 'and' | 'or'; left: Expr; right: Expr; line: number }
  | { kind: 'compare'; first: Expr; ops: [string, Expr][]; line: number }
  | { kind: 'cond'; test: Expr; ifTrue: Expr; otherwise: Expr | null; line: number };

/** Assignment targets of `for` and `set`. */
export type Target =
  | { kind: 'name'; name: string }
  | { kind: 'tuple'; names: string[] }
  | { kind: 'nsattr'; ns: string; attr: string };

/** A filter applied to a `{% set x | f %}` block body. */
export interface FilterCall {
  name: string;
  args: Expr[];
  kwargs: [string, Expr][];
  line: number;
}

export type Stmt =
  | { kind: 'text'; text: string }
  | { kind: 'output'; expr: Expr; line: number }
  | { kind: 'if'; branches: { test: Expr; body: Stmt[] }[]; otherwise: Stmt[] | null; line: number }
  | {
      kind: 'for';
      target: Target;
      iter: Expr;
      filter: Expr | null;
      body: Stmt[];
      otherwise: Stmt[] | null;
      line: number;
    }
  | { kind: 'set'; target: Target; value: Expr; line: number }
  | { kind: 'setblock'; target: Target; body: Stmt[]; filters: FilterCall[]; line: number }
  | { kind: 'with'; assigns: [string, Expr][]; body: Stmt[]; line: number };

export interface Template {
  body: Stmt[];
}
