import { MemoryError } from '../../spec/memory-error.js';
import type { IndexPoint } from '../../spec/vector-index.js';

/** Two points of one memory in a batch share an id (engines refuse or race them): keep the newest. */
export function latestPerMemory(points: IndexPoint[]): IndexPoint[] {
  const latest = new Map<string, IndexPoint>();
  for (const point of points) {
    const seen = latest.get(point.memoryId);
    if (seen === undefined || point.version >= seen.version) latest.set(point.memoryId, point);
  }
  return [...latest.values()];
}

export function checkWidth(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1) {
    throw new MemoryError('invalid_input', `A vector width must be a positive integer, got ${dimensions}.`);
  }
}
