import { z } from 'zod';
import type { Embedder, EmbedResult, ProviderHealth } from '../../spec/embedder.js';
import { postJson } from '../../util/http-json.js';
import { withRetry } from '../../util/retry.js';
import { embedInBatches } from '../embed-in-batches.js';
import { checkDimensions } from '../embedding-dimensions.js';
import type { ModelSettings, ProviderDeps } from '../provider-deps.js';
import {
  checkOpenAIModel,
  type OpenAICompatibleOptions,
  type OpenAIConnection,
  openAIConnection,
} from './openai-target.js';

const DEFAULT_BATCH_SIZE = 512;
const DEFAULT_TIMEOUT_MS = 60_000;

const embeddingsSchema = z.object({
  data: z.array(z.object({ index: z.number(), embedding: z.array(z.number()) })),
  usage: z.object({ prompt_tokens: z.number() }).optional(),
});

/** Embeddings from `POST {baseUrl}/embeddings` of OpenAI or any compatible server. */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;
  readonly maxEmbeddingsPerCall: number;
  readonly #settings: ModelSettings;
  readonly #deps: ProviderDeps;
  readonly #connection: OpenAIConnection;
  #learnedDimensions: number | undefined;

  constructor(settings: ModelSettings, deps: ProviderDeps = {}, compat: OpenAICompatibleOptions = {}) {
    const codes = { unreachable: 'embedder_unreachable', error: 'embedder_error' } as const;
    this.#connection = openAIConnection(settings, deps, compat, codes, DEFAULT_TIMEOUT_MS);
    this.id = this.#connection.id;
    this.maxEmbeddingsPerCall = settings.batchSize ?? DEFAULT_BATCH_SIZE;
    this.#settings = settings;
    this.#deps = deps;
  }

  get dimensions(): number | undefined {
    return this.#learnedDimensions ?? this.#settings.dimensions;
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
    return checkOpenAIModel(this.#connection, this.#settings.model);
  }

  async #embedBatch(batch: string[], signal: AbortSignal | undefined): Promise<EmbedResult> {
    const { target, baseUrl } = this.#connection;
    const dimensions = this.#settings.dimensions;
    // `dimensions` asks text-embedding-3 models to shorten their vectors; older models reject it, so only send it when set.
    const body = {
      model: this.#settings.model,
      input: batch,
      encoding_format: 'float',
      ...(dimensions === undefined ? {} : { dimensions }),
    };
    const response = await postJson(target, `${baseUrl}/embeddings`, body, embeddingsSchema, { signal });
    const embeddings = [...response.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    this.#learnedDimensions = checkDimensions(
      this.id,
      embeddings,
      batch.length,
      dimensions,
      this.#learnedDimensions,
    );
    return response.usage === undefined
      ? { embeddings }
      : { embeddings, inputTokens: response.usage.prompt_tokens };
  }
}
