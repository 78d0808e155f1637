/** A unified diff of two texts (line based, LCS), enough for config files. */
export function unifiedDiff(path: string, before: string, after: string, context = 3): string {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  // Trim the common head and tail so the LCS table stays small for large files with small edits.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const ops: { op: ' ' | '-' | '+'; line: string }[] = [];
  for (let i = Math.max(0, head - context); i < head; i++) ops.push({ op: ' ', line: a[i] as string });
  const lcs: number[][] = Array.from({ length: am.length + 1 }, () =>
    new Array<number>(bm.length + 1).fill(0),
  );
  for (let i = am.length - 1; i >= 0; i--) {
    const row = lcs[i] as number[];
    const below = lcs[i + 1] as number[];
    for (let j = bm.length - 1; j >= 0; j--)
      row[j] =
        am[i] === bm[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
  }
  let i = 0;
  let j = 0;
  while (i < am.length || j < bm.length) {
    if (i < am.length && j < bm.length && am[i] === bm[j]) {
      ops.push({ op: ' ', line: am[i++] as string });
      j++;
    } else if (i < am.length && (j >= bm.length || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0)))
      ops.push({ op: '-', line: am[i++] as string });
    else ops.push({ op: '+', line: bm[j++] as string });
  }
  for (let k = a.length - tail; k < Math.min(a.length, a.length - tail + context); k++)
    ops.push({ op: ' ', line: a[k] as string });
  const header = [`--- before: ${path}`, `+++ after: ${path}`];
  if (ops.every((o) => o.op === ' ')) return '';
  const startA = Math.max(0, head - context);
  const countA = ops.filter((o) => o.op !== '+').length;
  const countB = ops.filter((o) => o.op !== '-').length;
  return [
    ...header,
    `@@ -${startA + 1},${countA} +${startA + 1},${countB} @@`,
    ...ops.map((o) => o.op + o.line),
  ].join('\n');
}
