import type { Embedder, EmbedResult } from '../../spec/embedder.js';

/** Wraps an embedder and keeps the time spent in it, so a benchmark can report search without it. */
export class TimedEmbedder implements Embedder {
  readonly inner: Embedder;
  ms = 0;
  calls = 0;

  constructor(inner: Embedder) {
    this.inner = inner;
  }

  get id(): string {
    return this.inner.id;
  }

  get maxEmbeddingsPerCall(): number {
    return this.inner.maxEmbeddingsPerCall;
  }

  get dimensions(): number | undefined {
    return this.inner.dimensions;
  }

  async embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbedResult> {
    const started = performance.now();
    try {
      return await this.inner.embed(texts, options);
    } finally {
      this.ms += performance.now() - started;
      this.calls++;
    }
  }
}
