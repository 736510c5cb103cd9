import { createHash } from 'node:crypto';
import type { Embedder, EmbedResult } from '../../spec/embedder.js';

/**
 * A deterministic, zero-latency embedder for benchmarks: a hashed bag of words, L2-normalised.
 * Texts that share words are close; no model, no server.
 */
export class HashEmbedder implements Embedder {
  readonly id: string;
  readonly maxEmbeddingsPerCall = 4096;
  readonly dimensions: number;

  constructor(dimensions = 384) {
    this.dimensions = dimensions;
    this.id = `bench:hash-bow-${dimensions}`;
  }

  async embed(texts: string[]): Promise<EmbedResult> {
    return { embeddings: texts.map((t) => this.vector(t)) };
  }

  vector(text: string): number[] {
    const v = new Array<number>(this.dimensions).fill(0);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text]) {
      const h = createHash('md5').update(word).digest();
      const bucket = h.readUInt32LE(0) % this.dimensions;
      v[bucket] = (v[bucket] ?? 0) + ((h[4] ?? 0) & 1 ? 1 : -1);
    }
    const norm = Math.hypot(...v) || 1;
    return v.map((x) => x / norm);
  }
}
