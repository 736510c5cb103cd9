import { z } from 'zod';
import type { ChatModel, ChatRequest, ChatResponse } from '../../spec/chat-model.js';
import type { ProviderHealth } from '../../spec/embedder.js';
import { MemoryError } from '../../spec/memory-error.js';
import { postJson } from '../../util/http-json.js';
import { postStreamLines } from '../../util/http-stream.js';
import { withRetry } from '../../util/retry.js';
import { readSseData } from '../../util/sse-data.js';
import { chatUsage } from '../chat-usage.js';
import { parseStreamChunk } from '../parse-stream-chunk.js';
import type { ModelSettings, ProviderDeps } from '../provider-deps.js';
import { type AnthropicConnection, anthropicConnection, checkAnthropicModel } from './anthropic-target.js';

const DEFAULT_TIMEOUT_MS = 120_000;
/** The Messages API requires max_tokens; this leaves room for a long extraction without inviting runaways. */
const DEFAULT_MAX_TOKENS = 2048;

const messageSchema = z.object({
  model: z.string().optional(),
  content: z.array(
    z.object({
      type: z.string(),
      text: z.string().optional(),
      name: z.string().optional(),
      input: z.unknown().optional(),
    }),
  ),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number(), output_tokens: z.number() }).optional(),
});

const streamEventSchema = z.object({
  type: z.string(),
  // message_delta events carry a delta without a type ({stop_reason}), so type is optional here.
  delta: z
    .object({
      type: z.string().optional(),
      text: z.string().optional(),
      partial_json: z.string().optional(),
    })
    .optional(),
  error: z.object({ type: z.string().optional(), message: z.string() }).optional(),
});

/** Chat over Anthropic's `POST /v1/messages`. Structured output is one forced tool call. */
export class AnthropicChatModel implements ChatModel {
  readonly id: string;
  readonly #settings: ModelSettings;
  readonly #deps: ProviderDeps;
  readonly #connection: AnthropicConnection;

  constructor(settings: ModelSettings, deps: ProviderDeps = {}) {
    this.#connection = anthropicConnection(settings, deps, DEFAULT_TIMEOUT_MS);
    this.id = this.#connection.id;
    this.#settings = settings;
    this.#deps = deps;
  }

  async complete(request: ChatRequest): Promise<ChatResponse> {
    const { target, baseUrl } = this.#connection;
    const url = `${baseUrl}/v1/messages`;
    const response = await withRetry(
      () => postJson(target, url, this.#body(request, false), messageSchema, { signal: request.signal }),
      this.#retryOptions(request),
    );
    const text = this.#replyText(request, response, url);
    return {
      text,
      usage: chatUsage(request.messages, text, response.usage?.input_tokens, response.usage?.output_tokens),
      model: response.model ?? this.#settings.model,
    };
  }

  /**
   * Yields text deltas, or with a schema the tool input's JSON as it arrives. A failure before the first
   * chunk (429, 529 overloaded) is retried like `complete`; once text has been yielded it is not.
   */
  async *stream(request: ChatRequest): AsyncGenerator<string> {
    const { iterator, first } = await withRetry(async () => {
      const attempt = this.#streamOnce(request);
      return { iterator: attempt, first: await attempt.next() };
    }, this.#retryOptions(request));
    if (first.done) return;
    yield first.value;
    yield* { [Symbol.asyncIterator]: () => iterator };
  }

  health(): Promise<ProviderHealth> {
    return checkAnthropicModel(this.#connection, this.#settings.model);
  }

  async *#streamOnce(request: ChatRequest): AsyncGenerator<string> {
    const { target, baseUrl } = this.#connection;
    const url = `${baseUrl}/v1/messages`;
    const lines = postStreamLines(target, url, this.#body(request, true), { signal: request.signal });
    for await (const data of readSseData(lines)) {
      const event = parseStreamChunk(streamEventSchema, data, 'Anthropic', url);
      if (event.type === 'message_stop') return;
      if (event.type === 'error') {
        const reason = event.error?.message ?? 'unknown error';
        throw new MemoryError('llm_error', `Anthropic stopped the stream: ${reason}`, {
          url,
          responseBody: data.slice(0, 2_000),
          details: { errorType: event.error?.type },
        });
      }
      if (event.type !== 'content_block_delta' || event.delta === undefined) continue;
      const { type, text, partial_json } = event.delta;
      const piece = type === 'text_delta' ? text : type === 'input_json_delta' ? partial_json : undefined;
      if (piece) yield piece;
    }
  }

  #retryOptions(request: ChatRequest) {
    return { maxRetries: this.#settings.maxRetries, ...this.#deps.retry, signal: request.signal };
  }

  /** With a schema: the forced tool call's input as JSON text. Without: the text blocks joined. */
  #replyText(request: ChatRequest, response: z.infer<typeof messageSchema>, url: string): string {
    const model = this.#settings.model;
    if (request.schema !== undefined) {
      const call = response.content.find((block) => block.type === 'tool_use');
      if (call === undefined || call.input === undefined) {
        throw new MemoryError(
          'llm_invalid_output',
          `Anthropic model ${model} did not call the ${request.schema.name} tool (stop reason: ${response.stop_reason ?? 'none'}).`,
          { url, details: { stopReason: response.stop_reason } },
        );
      }
      return JSON.stringify(call.input);
    }
    const texts = response.content.filter((block) => block.type === 'text').map((block) => block.text ?? '');
    if (texts.length === 0) {
      throw new MemoryError(
        'llm_error',
        `Anthropic model ${model} gave no text (stop reason: ${response.stop_reason ?? 'none'}).`,
        { url, details: { stopReason: response.stop_reason } },
      );
    }
    return texts.join('');
  }

  #body(request: ChatRequest, stream: boolean): Record<string, unknown> {
    const temperature = request.temperature ?? this.#settings.temperature ?? (request.schema ? 0 : undefined);
    const system = request.messages
      .filter((message) => message.role === 'system')
      .map((message) => message.content);
    const schema = request.schema;
    const toolName = schema === undefined ? undefined : toToolName(schema.name);
    return {
      model: this.#settings.model,
      max_tokens: request.maxOutputTokens ?? DEFAULT_MAX_TOKENS,
      ...(system.length === 0 ? {} : { system: system.join('\n\n') }),
      messages: request.messages
        .filter((message) => message.role !== 'system')
        .map(({ role, content }) => ({ role, content })),
      ...(temperature === undefined ? {} : { temperature }),
      ...(schema === undefined
        ? {}
        : {
            tools: [
              {
                name: toolName,
                description: `Record the answer. The input must follow the ${schema.name} JSON schema exactly.`,
                input_schema: schema.schema,
              },
            ],
            tool_choice: { type: 'tool', name: toolName },
          }),
      ...(stream ? { stream: true } : {}),
    };
  }
}

/** Tool names must match ^[a-zA-Z0-9_-]{1,64}$; schema names are ours, but a stray dot or space should not 400. */
function toToolName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'answer';
}
