/**
 * Correctly rounded decimal formatting with Python's tie rule. JS toFixed/toExponential round
 * exact ties away from zero (2.25 -> "2.3"); Python rounds them to even ("2.2").
 */

/** The exact decimal digits of a finite non-negative double: integer part and fraction. */
function exactDecimal(x: number): { int: string; frac: string } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e = -1074;
  if (expBits !== 0) {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  if (e >= 0) return { int: (mant << BigInt(e)).toString(), frac: '' };
  const digits = (mant * 5n ** BigInt(-e)).toString().padStart(-e + 1, '0');
  const cut = digits.length + e;
  return { int: digits.slice(0, cut), frac: digits.slice(cut).replace(/0+$/, '') };
}

function isEvenDigit(d: string | undefined): boolean {
  return d === undefined || Number(d) % 2 === 0;
}

/** x.toFixed(digits) with ties to even. */
export function toFixedEven(x: number, digits: number): string {
  const js = x.toFixed(digits);
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return js;
  const { int, frac } = exactDecimal(Math.abs(x));
  if (frac.length !== digits + 1 || frac[digits] !== '5') return js;
  const kept = frac.slice(0, digits);
  const last = digits > 0 ? kept[digits - 1] : int[int.length - 1];
  if (!isEvenDigit(last)) return js;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return `${sign}${int}${digits > 0 ? `.${kept}` : ''}`;
}

/** x.toExponential(digits) with ties to even. */
export function toExponentialEven(x: number, digits: number): string {
  const js = x.toExponential(digits);
  if (!Number.isFinite(x) || x === 0) return js;
  const { int, frac } = exactDecimal(Math.abs(x));
  const all = (int + frac).replace(/^0+/, '');
  if (all.length !== digits + 2 || all[digits + 1] !== '5') return js;
  const kept = all.slice(0, digits + 1);
  if (!isEvenDigit(kept[kept.length - 1])) return js;
  const exp =
    int.replace(/^0+/, '') !== ''
      ? int.replace(/^0+/, '').length - 1
      : -(frac.length - frac.replace(/^0+/, '').length + 1);
  const sign = x < 0 ? '-' : '';
  const mant = digits > 0 ? `${kept[0]}.${kept.slice(1)}` : kept;
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}
