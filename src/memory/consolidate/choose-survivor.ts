import type { MemoryRecord } from '../../spec/memory-record.js';

/**
 * Which memory of a group of duplicates stays active: the latest statement of the fact (newest
 * `validFrom`, which also ranks best on recency), then the more important, then the more often
 * recalled, then the smaller id — so the choice is the same on every run and every store.
 * The group's highest importance is carried over to the survivor (apply step), so nothing it
 * ranked by is lost.
 */
export function chooseSurvivor(group: readonly MemoryRecord[]): MemoryRecord {
  return [...group].sort(
    (x, y) =>
      Date.parse(y.validFrom) - Date.parse(x.validFrom) ||
      y.importance - x.importance ||
      y.accessCount - x.accessCount ||
      (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
  )[0]!;
}
