import { z } from 'zod';
import type { ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import type { ProviderHealth } from '../../spec/embedder.js';
import { MemoryError } from '../../spec/memory-error.js';
import { postJson } from '../../util/http-json.js';
import { postStreamLines } from '../../util/http-stream.js';
import type { HttpTarget } from '../../util/http-target.js';
import { withRetry } from '../../util/retry.js';
import { chatUsage } from '../chat-usage.js';
import { parseStreamChunk } from '../parse-stream-chunk.js';
import type { ModelSettings, ProviderDeps } from '../provider-deps.js';
import { checkOllamaModel, ollamaBaseUrl, ollamaTarget } from './ollama-target.js';

// Small local models on CPU can take minutes for a long extraction prompt.
const DEFAULT_TIMEOUT_MS = 300_000;

const chatResponseSchema = z.object({
  model: z.string().optional(),
  message: z.object({ content: z.string() }),
  prompt_eval_count: z.number().optional(),
  eval_count: z.number().optional(),
});

const streamChunkSchema = z.object({
  message: z.object({ content: z.string() }).optional(),
  error: z.string().optional(),
});

/** Chat over Ollama's `POST /api/chat`; structured output uses `format: <JSON schema>`. */
export class OllamaChatModel implements ChatModel {
  readonly id: string;
  readonly #settings: ModelSettings;
  readonly #deps: ProviderDeps;
  readonly #target: HttpTarget;

  constructor(settings: ModelSettings, deps: ProviderDeps = {}) {
    this.id = `ollama:${settings.model}`;
    this.#settings = settings;
    this.#deps = deps;
    const codes = { unreachable: 'llm_unreachable', error: 'llm_error' } as const;
    this.#target = ollamaTarget(
      ollamaBaseUrl(settings, deps),
      settings.model,
      settings,
      deps,
      codes,
      DEFAULT_TIMEOUT_MS,
    );
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const url = `${this.#target.baseUrl}/api/chat`;
    const body = this.#body(request, false);
    const response = await withRetry(
      () => postJson(this.#target, url, body, chatResponseSchema, { signal: request.signal }),
      { maxRetries: this.#settings.maxRetries, ...this.#deps.retry, signal: request.signal },
    );
    const text = response.message.content;
    return {
      text,
      usage: chatUsage(request.messages, text, response.prompt_eval_count, response.eval_count),
      model: response.model ?? this.#settings.model,
    };
  }

  /** Yields content chunks. Opening the stream is not retried: a half-delivered answer cannot be replayed. */
  async *stream(request: ChatRequest): AsyncGenerator<string> {
    const url = `${this.#target.baseUrl}/api/chat`;
    for await (const line of postStreamLines(this.#target, url, this.#body(request, true), {
      signal: request.signal,
    })) {
      if (line.trim() === '') continue;
      const chunk = parseStreamChunk(streamChunkSchema, line, 'Ollama', url);
      if (chunk.error !== undefined) {
        throw new MemoryError('llm_error', `Ollama stopped the stream from ${url}: ${chunk.error}`, { url });
      }
      const content = chunk.message?.content ?? '';
      if (content !== '') yield content;
    }
  }

  health(): Promise<ProviderHealth> {
    return checkOllamaModel(this.#target, this.#settings.model);
  }

  #body(request: ChatRequest, stream: boolean): Record<string, unknown> {
    const temperature = request.temperature ?? this.#settings.temperature ?? (request.schema ? 0 : undefined);
    const options: Record<string, number> = {};
    if (temperature !== undefined) options.temperature = temperature;
    if (this.#settings.numCtx !== undefined) options.num_ctx = this.#settings.numCtx;
    if (request.maxOutputTokens !== undefined) options.num_predict = request.maxOutputTokens;
    return {
      model: this.#settings.model,
      messages: request.messages.map(({ role, content }) => ({ role, content })),
      stream,
      ...(request.schema ? { format: request.schema.schema } : {}),
      options,
      ...(this.#settings.keepAlive !== undefined ? { keep_alive: this.#settings.keepAlive } : {}),
    };
  }
}
