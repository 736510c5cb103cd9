import { MemoryError } from '../spec/memory-error.js';

/**
 * Checks one response's vectors and returns their size. `configured` comes from settings (the user's promise
 * to the store); `learned` from an earlier response. Either disagreeing is a hard error: mixing sizes would
 * corrupt the vector index.
 */
export function checkDimensions(
  embedderId: string,
  vectors: readonly number[][],
  expectedCount: number,
  configured: number | undefined,
  learned: number | undefined,
): number | undefined {
  if (vectors.length !== expectedCount) {
    throw new MemoryError(
      'embedder_error',
      `Embedder ${embedderId} returned ${vectors.length} vectors for ${expectedCount} texts.`,
    );
  }
  const first = vectors[0];
  if (first === undefined) return learned;
  const size = first.length;
  if (vectors.some((vector) => vector.length !== size)) {
    throw new MemoryError(
      'embedder_error',
      `Embedder ${embedderId} returned vectors of different sizes in one response.`,
    );
  }
  if (configured !== undefined && size !== configured) {
    throw new MemoryError(
      'embedder_error',
      `Embedder ${embedderId} returned ${size}-dimensional vectors but dimensions is set to ${configured}. ` +
        `Set dimensions to ${size}, or pick a model that produces ${configured}-dimensional vectors.`,
      { details: { expected: configured, actual: size } },
    );
  }
  if (learned !== undefined && size !== learned) {
    throw new MemoryError(
      'embedder_error',
      `Embedder ${embedderId} returned ${size}-dimensional vectors after earlier ones had ${learned}; ` +
        'the model behind this endpoint changed. Point engram at one model per store.',
      { details: { expected: learned, actual: size } },
    );
  }
  return size;
}
