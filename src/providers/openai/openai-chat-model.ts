import { z } from 'zod';
import type { ChatMessage, ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import type { ProviderHealth } from '../../spec/embedder.js';
import { MemoryError } from '../../spec/memory-error.js';
import { postJson } from '../../util/http-json.js';
import { postStreamLines } from '../../util/http-stream.js';
import { withRetry } from '../../util/retry.js';
import { readSseData } from '../../util/sse-data.js';
import { chatUsage } from '../chat-usage.js';
import { parseStreamChunk } from '../parse-stream-chunk.js';
import type { ModelSettings, ProviderDeps } from '../provider-deps.js';
import {
  checkOpenAIModel,
  type OpenAICompatibleOptions,
  type OpenAIConnection,
  openAIConnection,
} from './openai-target.js';

const DEFAULT_TIMEOUT_MS = 120_000;

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(z.object({ message: z.object({ content: z.string().nullable(), refusal: z.string().nullish() }) }))
    .min(1),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

const streamChunkSchema = z.object({
  choices: z.array(z.object({ delta: z.object({ content: z.string().nullish() }).optional() })).optional(),
  error: z.object({ message: z.string() }).optional(),
});

type StructuredMode = 'json_schema' | 'json_object';

/** Chat over `POST {baseUrl}/chat/completions` of OpenAI or any compatible server. */
export class OpenAIChatModel implements ChatModel {
  readonly id: string;
  readonly #settings: ModelSettings;
  readonly #deps: ProviderDeps;
  readonly #connection: OpenAIConnection;
  /** Servers without json_schema support (older vLLM, some proxies) are remembered so we ask once, not every call. */
  #structuredMode: StructuredMode = 'json_schema';

  constructor(settings: ModelSettings, deps: ProviderDeps = {}, compat: OpenAICompatibleOptions = {}) {
    const codes = { unreachable: 'llm_unreachable', error: 'llm_error' } as const;
    this.#connection = openAIConnection(settings, deps, compat, codes, DEFAULT_TIMEOUT_MS);
    this.id = this.#connection.id;
    this.#settings = settings;
    this.#deps = deps;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    try {
      return await this.#complete(request);
    } catch (error) {
      if (!this.#fallBackToJsonObject(request, error)) throw error;
      return this.#complete(request);
    }
  }

  async *stream(request: ChatRequest): AsyncGenerator<string> {
    let yielded = false;
    try {
      for await (const chunk of this.#stream(request)) {
        yielded = true;
        yield chunk;
      }
    } catch (error) {
      if (yielded || !this.#fallBackToJsonObject(request, error)) throw error;
      yield* this.#stream(request);
    }
  }

  health(): Promise<ProviderHealth> {
    return checkOpenAIModel(this.#connection, this.#settings.model);
  }

  async #complete(request: ChatRequest): Promise<ChatResponse> {
    const { target, baseUrl } = this.#connection;
    const body = this.#body(request, false);
    const response = await withRetry(
      () =>
        postJson(target, `${baseUrl}/chat/completions`, body, completionSchema, { signal: request.signal }),
      { maxRetries: this.#settings.maxRetries, ...this.#deps.retry, signal: request.signal },
    );
    const message = response.choices[0]!.message;
    if (message.content === null) {
      const reason = message.refusal ? `it refused: ${message.refusal}` : 'the reply had no content';
      throw new MemoryError(
        'llm_error',
        `${this.#connection.label} model ${this.#settings.model} gave no text: ${reason}`,
      );
    }
    return {
      text: message.content,
      usage: chatUsage(
        request.messages,
        message.content,
        response.usage?.prompt_tokens,
        response.usage?.completion_tokens,
      ),
      model: response.model ?? this.#settings.model,
    };
  }

  async *#stream(request: ChatRequest): AsyncGenerator<string> {
    const { target, baseUrl } = this.#connection;
    const url = `${baseUrl}/chat/completions`;
    const lines = postStreamLines(target, url, this.#body(request, true), { signal: request.signal });
    for await (const data of readSseData(lines)) {
      if (data.trim() === '[DONE]') return;
      const chunk = parseStreamChunk(streamChunkSchema, data, this.#connection.label, url);
      if (chunk.error !== undefined) {
        throw new MemoryError(
          'llm_error',
          `${this.#connection.label} stopped the stream: ${chunk.error.message}`,
          { url },
        );
      }
      const content = chunk.choices?.[0]?.delta?.content;
      if (content) yield content;
    }
  }

  /** True when `error` is a server refusing json_schema and we have not fallen back yet (then we do). */
  #fallBackToJsonObject(request: ChatRequest, error: unknown): boolean {
    const rejected =
      request.schema !== undefined &&
      this.#structuredMode === 'json_schema' &&
      MemoryError.is(error, 'llm_error') &&
      error.statusCode === 400 &&
      /response_format|json_schema/i.test(`${error.responseBody ?? ''} ${error.message}`);
    if (rejected) this.#structuredMode = 'json_object';
    return rejected;
  }

  #body(request: ChatRequest, stream: boolean): Record<string, unknown> {
    const temperature = request.temperature ?? this.#settings.temperature ?? (request.schema ? 0 : undefined);
    // api.openai.com rejects max_tokens for reasoning models; compatible servers mostly know only max_tokens.
    const maxTokensField = this.#connection.isOpenAI ? 'max_completion_tokens' : 'max_tokens';
    const schema = request.schema;
    const jsonObject = schema !== undefined && this.#structuredMode === 'json_object';
    return {
      model: this.#settings.model,
      messages: jsonObject
        ? withSchemaInstruction(request.messages, schema.schema)
        : toWire(request.messages),
      ...(temperature === undefined ? {} : { temperature }),
      ...(request.maxOutputTokens === undefined ? {} : { [maxTokensField]: request.maxOutputTokens }),
      ...(schema === undefined
        ? {}
        : jsonObject
          ? { response_format: { type: 'json_object' } }
          : {
              response_format: {
                type: 'json_schema',
                json_schema: { name: schema.name, schema: schema.schema, strict: true },
              },
            }),
      ...(stream ? { stream: true } : {}),
    };
  }
}

function toWire(messages: readonly ChatMessage[]): { role: string; content: string }[] {
  return messages.map(({ role, content }) => ({ role, content }));
}

/**
 * json_object mode only promises *some* JSON (and OpenAI demands the word "JSON" in the prompt), so the schema
 * the server would not take goes into the system prompt instead.
 */
function withSchemaInstruction(
  messages: readonly ChatMessage[],
  schema: Record<string, unknown>,
): { role: string; content: string }[] {
  const instruction = `Reply with one JSON object that follows this JSON schema:\n${JSON.stringify(schema)}`;
  const wire = toWire(messages);
  const first = wire[0];
  if (first?.role === 'system')
    return [{ role: 'system', content: `${first.content}\n\n${instruction}` }, ...wire.slice(1)];
  return [{ role: 'system', content: instruction }, ...wire];
}
