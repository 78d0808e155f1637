/** Durations in Ansible's relative-time form ("3650d", "+32w1d2h", "10d") and absolute ASN.1 times. */
import { OvnctlError } from '../errors.js';

const WEEK = 604_800_000;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Milliseconds of a relative duration; a bare number means seconds (as in Ansible). */
export function parseDuration(value: unknown, where: string): number {
  const s = String(value ?? '')
    .trim()
    .replace(/^\+/, '');
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const m = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(s);
  if (!s || !m) {
    throw new OvnctlError(
      'invalid-input',
      `${where}: cannot read duration "${String(value)}" (e.g. 3650d, 10d, 12h)`,
    );
  }
  const [, w, d, h, min, sec] = m;
  return (
    Number(w ?? 0) * WEEK +
    Number(d ?? 0) * DAY +
    Number(h ?? 0) * HOUR +
    Number(min ?? 0) * MINUTE +
    Number(sec ?? 0) * 1000
  );
}

const ABSOLUTE = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

/** Refuses an unreadable ttl or not_after when an entry is read, not only when it is next issued. */
export function checkLifetime(ttl: unknown, notAfter: unknown, where: string): void {
  const set = (v: unknown) => v !== undefined && v !== null && v !== '';
  if (set(ttl)) parseDuration(ttl, `${where}: ttl`);
  if (set(notAfter) && !(typeof notAfter === 'string' && ABSOLUTE.test(notAfter.trim())))
    parseDuration(notAfter, `${where}: not_after`);
}

/**
 * notAfter of a new certificate from `ttl` (relative) or OSA's deprecated
 * `not_after` (relative, or absolute `YYYYMMDDHHMMSSZ`).
 */
export function expiryFrom(
  now: Date,
  ttl: unknown,
  notAfter: unknown,
  fallback: string,
  where: string,
): Date {
  const abs = typeof notAfter === 'string' ? ABSOLUTE.exec(notAfter.trim()) : null;
  if (abs) {
    const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = abs.slice(1).map(Number);
    return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  }
  const rel = ttl ?? notAfter;
  const ms = parseDuration(rel === undefined || rel === null || rel === '' ? fallback : rel, where);
  return new Date(now.getTime() + ms);
}

export function formatDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
