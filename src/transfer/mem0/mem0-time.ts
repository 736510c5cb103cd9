const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A mem0 timestamp as engram writes one (ISO 8601, UTC, milliseconds), or null when there is none
 * or it is not a time. mem0 TypeScript writes `toISOString()`; mem0 Python writes `isoformat()`
 * with an offset (US/Pacific in older versions, UTC later) and microseconds; SQLite DATETIME text
 * has a space instead of the T. A time without an offset is read as UTC (what Python's naive
 * `datetime.now()` meant on the servers mem0 usually runs on), so a file reads the same on any
 * machine. Numbers are Unix time, in seconds below 10^11 and milliseconds above.
 */
export function normalizeTime(raw: unknown): string | null {
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    const date = new Date(raw < 1e11 ? raw * 1000 : raw);
    return Number.isNaN(date.getTime()) ? null : date.toISOString();
  }
  if (typeof raw !== 'string') return null;
  const match = ISO.exec(raw.trim());
  if (!match) return null;
  const [, day, clock, fraction, zone] = match;
  const seconds = clock!.length === 5 ? `${clock}:00` : clock;
  const millis = (fraction ?? '').slice(0, 3).padEnd(3, '0');
  const offset =
    zone === undefined || zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const date = new Date(`${day}T${seconds}.${millis}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The later of two ISO times (either may be null). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
