import type { FilterNode } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { Metadata } from '../../spec/memory-record.js';

/** The metadata key an expiration day is kept under (mem0's own key, so mem0 data keeps it). */
export const EXPIRATION_KEY = 'expiration_date';

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A day after which a memory is expired: `YYYY-MM-DD` (a real calendar day, UTC), null to clear,
 * undefined when not given. Anything else is refused with the option's name.
 */
export function checkExpirationDate(value: unknown, option = 'expirationDate'): string | null | undefined {
  if (value === undefined || value === null) return value;
  const match = typeof value === 'string' ? DAY.exec(value) : null;
  const day = match ? new Date(`${value as string}T00:00:00.000Z`) : null;
  if (!match || !day || Number.isNaN(day.getTime()) || day.toISOString().slice(0, 10) !== value) {
    throw new MemoryError(
      'invalid_input',
      `${option} must be a calendar day written YYYY-MM-DD (e.g. "2027-01-31"), or null to clear it; got ${JSON.stringify(value)}.`,
      { details: { fields: [{ path: option, message: 'expected YYYY-MM-DD' }] } },
    );
  }
  return value as string;
}

/** Metadata with the expiration day set (a day) or removed (null); unchanged when undefined. */
export function withExpiration(metadata: Metadata, day: string | null | undefined): Metadata {
  if (day === undefined) return metadata;
  const { [EXPIRATION_KEY]: _previous, ...rest } = metadata;
  return day === null ? rest : { ...rest, [EXPIRATION_KEY]: day };
}

/**
 * Memories whose expiration day has passed at `now` (the day itself still counts): expiration_date
 * < today. Under NOT, a memory without the key passes (the stores compile NOT of an absent key as
 * true).
 */
export function expiredByDate(now: string): FilterNode {
  return { kind: 'meta', path: [EXPIRATION_KEY], op: 'lt', value: now.slice(0, 10) };
}
