import { MemoryError } from '../spec/memory-error.js';
import type { TimeWindow } from '../spec/store.js';
import { parseTime } from '../util/parse-time.js';

/** `asOf` / `knownAt` as the caller gave them (ISO 8601, epoch seconds or ms, or Date), checked; undefined: now. */
export function timeWindow(options: {
  asOf?: string | number | Date | undefined;
  knownAt?: string | number | Date | undefined;
}): TimeWindow | undefined {
  if (options.asOf === undefined && options.knownAt === undefined) return undefined;
  return {
    asOf: options.asOf === undefined ? undefined : parseTime(options.asOf, 'asOf'),
    knownAt: options.knownAt === undefined ? undefined : parseTime(options.knownAt, 'knownAt'),
  };
}

/** The memory exists, but no version of it was true (or known) at the requested time. */
export function noVersionAt(id: string, window: TimeWindow): MemoryError {
  const when = [
    window.asOf === undefined ? null : `true at ${window.asOf}`,
    window.knownAt === undefined ? null : `known at ${window.knownAt}`,
  ]
    .filter((part) => part !== null)
    .join(' and ');
  return new MemoryError(
    'not_found',
    `Memory ${id} has no version ${when}. List its versions with \`engram history ${id}\`.`,
    { details: { id, ...window } },
  );
}
