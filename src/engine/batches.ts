/** Split hosts into `serial` batches (sizes or percentages; the last size repeats). */
export function serialBatches(hosts: readonly string[], serial: readonly (number | string)[]): string[][] {
  if (serial.length === 0 || hosts.length === 0) return hosts.length ? [[...hosts]] : [];
  const size = (s: number | string): number => {
    const text = String(s).trim();
    const n = text.endsWith('%')
      ? Math.floor((hosts.length * Number(text.slice(0, -1))) / 100)
      : Number(text);
    return Math.max(1, n || hosts.length);
  };
  const batches: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const n = size(serial[Math.min(k, serial.length - 1)] as number | string);
    batches.push(hosts.slice(i, i + n));
    i += n;
    k++;
  }
  return batches;
}
