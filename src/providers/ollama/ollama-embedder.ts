import { z } from 'zod';
import type { Embedder, EmbedResult, ProviderHealth } from '../../spec/embedder.js';
import { postJson } from '../../util/http-json.js';
import type { HttpTarget } from '../../util/http-target.js';
import { withRetry } from '../../util/retry.js';
import { embedInBatches } from '../embed-in-batches.js';
import { checkDimensions } from '../embedding-dimensions.js';
import type { ModelSettings, ProviderDeps } from '../provider-deps.js';
import { checkOllamaModel, ollamaBaseUrl, ollamaTarget } from './ollama-target.js';

const DEFAULT_BATCH_SIZE = 64;
// Local embedding of a full batch on CPU can take a while; a dead server is still caught by ECONNREFUSED.
const DEFAULT_TIMEOUT_MS = 60_000;

const embedResponseSchema = z.object({
  embeddings: z.array(z.array(z.number())),
  prompt_eval_count: z.number().optional(),
});

/** Embeddings from Ollama's `POST /api/embed`. */
export class OllamaEmbedder implements Embedder {
  readonly id: string;
  readonly maxEmbeddingsPerCall: number;
  readonly #model: string;
  readonly #configuredDimensions: number | undefined;
  readonly #target: HttpTarget;
  readonly #settings: ModelSettings;
  readonly #deps: ProviderDeps;
  #learnedDimensions: number | undefined;

  constructor(settings: ModelSettings, deps: ProviderDeps = {}) {
    this.#model = settings.model;
    this.id = `ollama:${settings.model}`;
    this.maxEmbeddingsPerCall = settings.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#configuredDimensions = settings.dimensions;
    this.#settings = settings;
    this.#deps = deps;
    const codes = { unreachable: 'embedder_unreachable', error: 'embedder_error' } as const;
    this.#target = ollamaTarget(
      ollamaBaseUrl(settings, deps),
      settings.model,
      settings,
      deps,
      codes,
      DEFAULT_TIMEOUT_MS,
    );
  }

  get dimensions(): number | undefined {
    return this.#learnedDimensions ?? this.#configuredDimensions;
  }

  embed(texts: string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    return embedInBatches(texts, this.maxEmbeddingsPerCall, (batch) =>
      withRetry(() => this.#embedBatch(batch, options.signal), {
        maxRetries: this.#settings.maxRetries,
        ...this.#deps.retry,
        signal: options.signal,
      }),
    );
  }

  health(): Promise<ProviderHealth> {
    return checkOllamaModel(this.#target, this.#model);
  }

  async #embedBatch(batch: string[], signal: AbortSignal | undefined): Promise<EmbedResult> {
    // truncate: an over-long text still gets a (prefix) vector instead of failing the whole batch.
    const body = { model: this.#model, input: batch, truncate: true };
    const response = await postJson(
      this.#target,
      `${this.#target.baseUrl}/api/embed`,
      body,
      embedResponseSchema,
      {
        signal,
      },
    );
    this.#learnedDimensions = checkDimensions(
      this.id,
      response.embeddings,
      batch.length,
      this.#configuredDimensions,
      this.#learnedDimensions,
    );
    return response.prompt_eval_count === undefined
      ? { embeddings: response.embeddings }
      : { embeddings: response.embeddings, inputTokens: response.prompt_eval_count };
  }
}
