/**
 * A minimal DER reader: enough to pull names, validity and extensions out of a
 * certificate without loading an ASN.1 library on the idempotent path.
 */

export interface Tlv {
  /** Full identifier octet (class, constructed bit, tag number < 31). */
  tag: number;
  /** Offset of the first content byte inside `buf`. */
  start: number;
  /** Offset just past the last content byte. */
  end: number;
  /** Offset of the identifier octet (for slicing the whole element). */
  headerStart: number;
  buf: Buffer;
}

export class DerError extends Error {}

export function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new DerError('truncated DER element');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not supported');
  let len = buf[offset + 1] as number;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > buf.length) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[start + i] as number);
    start += n;
  }
  const end = start + len;
  if (end > buf.length) throw new DerError('DER element runs past its container');
  return { tag, start, end, headerStart: offset, buf };
}

export function children(tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let off = tlv.start;
  while (off < tlv.end) {
    const child = readTlv(tlv.buf, off);
    if (child.end > tlv.end) throw new DerError('DER child runs past its parent');
    out.push(child);
    off = child.end;
  }
  return out;
}

export function content(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.start, tlv.end);
}

/** The whole element, header included. */
export function raw(tlv: Tlv): Buffer {
  return tlv.buf.subarray(tlv.headerStart, tlv.end);
}

export function decodeOid(tlv: Tlv): string {
  const b = content(tlv);
  if (b.length === 0) throw new DerError('empty OID');
  const first = b[0] as number;
  const parts: number[] = [Math.min(Math.floor(first / 40), 2)];
  parts.push(first - (parts[0] as number) * 40);
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    const byte = b[i] as number;
    v = v * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime (0x17) or GeneralizedTime (0x18). */
export function decodeTime(tlv: Tlv): Date {
  const s = content(tlv).toString('latin1');
  const m =
    tlv.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new DerError(`unsupported time ${s}`);
  let year = Number(m[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}

/** Text of a directory string (UTF8, Printable, IA5, T61 as latin1, BMP). */
export function decodeString(tlv: Tlv): string {
  const b = content(tlv);
  switch (tlv.tag) {
    case 0x1e: {
      let s = '';
      for (let i = 0; i + 1 < b.length; i += 2)
        s += String.fromCharCode(((b[i] as number) << 8) | (b[i + 1] as number));
      return s;
    }
    case 0x14:
      return b.toString('latin1');
    default:
      return b.toString('utf8');
  }
}
