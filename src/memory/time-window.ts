import { MemoryError } from '../spec/memory-error.js';
import type { TimeWindow } from '../spec/store.js';
import { parseTime } from '../util/parse-time.js';

/**
 * `asOf` / `knownAt` as the caller gave them (ISO 8601, epoch seconds or ms, or Date), checked,
 * with the one left out set to `now`, the engine's clock: the store never has to pick an instant
 * itself (its own default would be the wall clock). Undefined when neither is given: the current
 * state.
 */
export function timeWindow(
  options: {
    asOf?: string | number | Date | undefined;
    knownAt?: string | number | Date | undefined;
  },
  now: string,
): Required<TimeWindow> | undefined {
  if (options.asOf === undefined && options.knownAt === undefined) return undefined;
  return {
    asOf: options.asOf === undefined ? now : parseTime(options.asOf, 'asOf'),
    knownAt: options.knownAt === undefined ? now : parseTime(options.knownAt, 'knownAt'),
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
  return new MemoryError('not_found', `Memory ${id} has no version ${when}.`, {
    details: { id, ...window },
    hint: 'memory_versions',
  });
}
