import { MemoryError } from '../spec/memory-error.js';

/** The instants engram accepts: years 1900 to 2200, so that stored ISO strings sort as times. */
const MIN_MS = Date.UTC(1900, 0, 1);
const MAX_MS = Date.UTC(2201, 0, 1) - 1;

/**
 * Below this magnitude a number is epoch seconds, at or above it epoch milliseconds. 1e10
 * seconds is the year 2286 and 1e10 milliseconds is April 1970, so within 1900–2200 the two
 * readings never meet except for milliseconds within ~4 months of 1970 (read as seconds).
 * Microseconds and nanoseconds fall past 2200 either way and are refused.
 */
const SECONDS_BELOW = 1e10;

/** YYYY-MM-DD, optionally with THH:MM[:SS[.fraction]] and Z or ±HH[:]MM (T may be a space). */
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const ACCEPTED =
  'Use ISO 8601 (e.g. 2023-05-08T13:56:00Z), epoch seconds (e.g. 1683554160) or epoch milliseconds (e.g. 1683554160000), between the years 1900 and 2200';

function refuse(value: unknown, field: string, why: string): never {
  throw new MemoryError('invalid_input', `${field} ${why}. ${ACCEPTED}.`, {
    details: { field, value: typeof value === 'number' ? value : String(value).slice(0, 100) },
  });
}

function fromEpoch(n: number, value: unknown, field: string): number {
  if (!Number.isFinite(n)) refuse(value, field, `"${String(value)}" is not a date`);
  return Math.abs(n) < SECONDS_BELOW ? n * 1000 : n;
}

/** Milliseconds of an ISO 8601 string, or NaN; a date-time without an offset is UTC. */
function fromIso(text: string): number {
  const m = ISO_8601.exec(text);
  if (!m) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const year = Number(y);
  const month = Number(mo) - 1;
  const day = Number(d);
  const ms = Date.UTC(
    year,
    month,
    day,
    Number(h),
    Number(mi),
    Number(s),
    Number(fraction.padEnd(3, '0').slice(0, 3)),
  );
  const date = new Date(ms);
  // Date.UTC rolls 2023-02-30 over to March: a rolled field is an invalid date.
  const exact =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month &&
    date.getUTCDate() === day &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(s) < 60;
  if (!exact) return Number.NaN;
  return ms - offsetMinutes(zone) * 60_000;
}

/** Minutes east of UTC, or NaN for an offset past ±23:59. */
function offsetMinutes(zone: string | undefined): number {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2) || '0');
  if (hours > 23 || minutes > 59) return Number.NaN;
  return (zone.startsWith('-') ? -1 : 1) * (hours * 60 + minutes);
}

function toMilliseconds(value: unknown, field: string): number {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return fromEpoch(value, value, field);
  if (typeof value !== 'string') refuse(value, field, `must be a string or a number, got ${typeof value}`);
  const text = value.trim();
  return /^-?\d+(\.\d+)?$/.test(text) ? fromEpoch(Number(text), value, field) : fromIso(text);
}

/**
 * Accepts ISO 8601 strings, epoch seconds or milliseconds (numbers or digit strings, told apart
 * by magnitude, see SECONDS_BELOW) and Dates, within the years 1900–2200; returns a canonical
 * ISO string (UTC). Anything else is `invalid_input` naming `field` and the accepted forms.
 */
export function parseTime(value: string | number | Date, field: string): string {
  const ms = toMilliseconds(value, field);
  if (Number.isNaN(ms)) refuse(value, field, `"${String(value).slice(0, 100)}" is not a date`);
  if (ms < MIN_MS || ms > MAX_MS) {
    refuse(value, field, `"${String(value).slice(0, 100)}" is outside the years 1900–2200`);
  }
  return new Date(Math.round(ms)).toISOString();
}
