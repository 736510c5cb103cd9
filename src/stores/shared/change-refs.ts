import type { ChangeOutcome } from '../../spec/store.js';

/**
 * An invalidation in a change list may name the memory that replaces it by the index of an
 * earlier change (`{change: n}`): the id is only known once that change has been applied.
 */
export function resolveSupersededBy(
  ref: string | { change: number } | null,
  outcomes: readonly ChangeOutcome[],
): string | null {
  if (ref === null || typeof ref === 'string') return ref;
  return outcomes[ref.change]?.record.id ?? null;
}
