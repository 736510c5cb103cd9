import type { Embedder } from '../spec/embedder.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Store } from '../spec/store.js';

/** Where one operation counts its embedding calls (a UsageMeter is one). */
export interface EmbedMeter {
  embedCalls: number;
  /** When present, used instead of adding to embedCalls (a part meter also counts in its parent). */
  addEmbedCalls?(n: number): void;
}

/**
 * Stands between the engine and the embedder: batches, converts to Float32Array, and refuses
 * to mix vectors of two models in one database (that would make distances meaningless).
 */
export class EmbeddingGate {
  readonly #embedder: Embedder | null;
  readonly #store: Store;
  #checked = false;

  constructor(embedder: Embedder | null, store: Store) {
    this.#embedder = embedder;
    this.#store = store;
  }

  get embedder(): Embedder | null {
    return this.#embedder;
  }

  get model(): string | null {
    return this.#embedder?.id ?? null;
  }

  /** Throws dimension_mismatch when the database was embedded with another model. */
  async checkModel(): Promise<void> {
    if (this.#checked || !this.#embedder) return;
    const recorded = await this.#store.getMeta('embedding_model');
    if (recorded !== null && recorded !== this.#embedder.id) {
      throw new MemoryError(
        'dimension_mismatch',
        `This database was embedded with ${recorded} but the configured embedder is ${this.#embedder.id}. Run \`engram reindex\` to re-embed every memory with ${this.#embedder.id}, or configure ${recorded} again.`,
        { details: { recorded, configured: this.#embedder.id } },
      );
    }
    this.#checked = true;
  }

  /**
   * Embeds texts (the adapter batches to its provider's limit). Null when no embedder is
   * configured. The provider calls are added to `meter`, the caller's own count: one engine runs
   * many operations at once, so a shared counter read before and after would count the others'.
   */
  async embed(
    texts: string[],
    options: { check?: boolean; meter?: EmbedMeter } = {},
  ): Promise<Float32Array[] | null> {
    if (!this.#embedder || texts.length === 0) return null;
    if (options.check !== false) await this.checkModel();
    const calls = Math.ceil(texts.length / this.#embedder.maxEmbeddingsPerCall);
    const result = await this.#embedder.embed(texts);
    if (options.meter?.addEmbedCalls) options.meter.addEmbedCalls(calls);
    else if (options.meter) options.meter.embedCalls += calls;
    if (result.embeddings.length !== texts.length) {
      throw new MemoryError(
        'embedder_error',
        `The embedder returned ${result.embeddings.length} vectors for ${texts.length} texts.`,
      );
    }
    return result.embeddings.map((e) => Float32Array.from(e));
  }

  /** Records the model after the first successful vector write. */
  async recordModel(): Promise<void> {
    if (!this.#embedder) return;
    if ((await this.#store.getMeta('embedding_model')) === null) {
      await this.#store.setMeta('embedding_model', this.#embedder.id);
    }
  }
}
