import { MemoryError } from '../spec/memory-error.js';

/** Accepts ISO 8601 strings, epoch milliseconds or Dates; returns a canonical ISO string (UTC). */
export function parseTime(value: string | number | Date, field: string): string {
  const date =
    value instanceof Date
      ? value
      : new Date(typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);
  if (Number.isNaN(date.getTime())) {
    throw new MemoryError(
      'invalid_input',
      `${field} "${String(value)}" is not a date. Use ISO 8601 (e.g. 2023-05-08T13:56:00Z) or epoch milliseconds.`,
      { details: { field } },
    );
  }
  return date.toISOString();
}
