/** An embedding model. Adapters implement it; the engine batches by `maxEmbeddingsPerCall`. */
export interface EmbedResult {
  embeddings: number[][];
  /** Provider-reported tokens when the wire format carries them. */
  inputTokens?: number;
}

export interface Embedder {
  /** "ollama:nomic-embed-text", "openai:text-embedding-3-small" — recorded with every vector. */
  readonly id: string;
  readonly maxEmbeddingsPerCall: number;
  /** Known up front (config) or learned from the first response. */
  readonly dimensions: number | undefined;
  embed(texts: string[], options?: { signal?: AbortSignal }): Promise<EmbedResult>;
  /** Cheap reachability check: resolves with details, never throws. */
  health?(): Promise<ProviderHealth>;
}

export interface ProviderHealth {
  ok: boolean;
  /** What was checked and what was found, in words a person can act on. */
  detail: string;
}
