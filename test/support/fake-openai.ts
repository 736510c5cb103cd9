import { type ChatHandler, ChatScript, type ScriptedReply, streamPieces } from './fake-chat-script.js';
import { fakeEmbedding, fakeTokenCount } from './fake-embedding.js';
import { type FakeHttpServer, type FakeReply, startFakeHttp } from './fake-http.js';

export type { ScriptedReply } from './fake-chat-script.js';
export { fakeEmbedding } from './fake-embedding.js';
export type { InjectedFailure, RecordedRequest } from './fake-http.js';

export interface FakeOpenAIOptions {
  /** Embedding size when the request does not ask for `dimensions` (default 64). */
  dimensions?: number;
  /** Served models, listed by /v1/models. When given, any other model answers 404 model_not_found. */
  models?: string[];
  delayMs?: number;
  /** Larger /v1/embeddings batches are rejected with 400, to prove the client batches. */
  maxBatch?: number;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  /** false: reject `response_format: json_schema` with 400, like servers that only know json_object. */
  jsonSchema?: boolean;
  /** Return embedding items in reverse index order (allowed by the API), to prove the client sorts. */
  reverseEmbeddings?: boolean;
}

/** The request body of /v1/chat/completions as the fake parsed it. */
export interface OpenAIChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  temperature?: number;
  response_format?: { type: string; json_schema?: { name: string; schema: unknown; strict?: boolean } };
  [field: string]: unknown;
}

export interface FakeOpenAI extends FakeHttpServer {
  /** `${url}/v1`: what a client configured with a full base URL uses. */
  baseUrl: string;
  scriptChat(replies: ScriptedReply[]): void;
  /** Answers chats once the script is empty. Default: "{}" for structured requests, else an echo. */
  onChat(handler: ChatHandler<OpenAIChatBody>): void;
}

const apiError = (
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) => ({
  error: { message, type, param, code },
});

/** A fake OpenAI speaking the real wire shapes of /v1/embeddings, /v1/models and /v1/chat/completions. */
export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const script = new ChatScript<OpenAIChatBody>((body) =>
    body.response_format === undefined ? `You said: ${body.messages.at(-1)?.content ?? ''}` : '{}',
  );
  const isServed = (model: unknown) =>
    options.models === undefined || (typeof model === 'string' && options.models.includes(model));
  const notFound = (reply: FakeReply, model: unknown) =>
    reply.json(
      404,
      apiError(
        `The model \`${String(model)}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      ),
    );

  const server = await startFakeHttp(
    {
      'GET /v1/models': (_request, reply) =>
        reply.json(200, {
          object: 'list',
          data: (options.models ?? []).map((id) => ({
            id,
            object: 'model',
            created: 1_700_000_000,
            owned_by: 'fake',
          })),
        }),
      'POST /v1/embeddings': (request, reply) => {
        const body = request.body as { model?: unknown; input?: unknown; dimensions?: unknown };
        if (!isServed(body.model)) return notFound(reply, body.model);
        const input = typeof body.input === 'string' ? [body.input] : body.input;
        if (!Array.isArray(input) || input.some((text) => typeof text !== 'string')) {
          return reply.json(
            400,
            apiError("'input' must be a string or an array of strings", 'invalid_request_error'),
          );
        }
        if (options.maxBatch !== undefined && input.length > options.maxBatch) {
          return reply.json(
            400,
            apiError(
              `'input' array must be ${options.maxBatch} items or fewer`,
              'invalid_request_error',
              null,
              'input',
            ),
          );
        }
        const size = typeof body.dimensions === 'number' ? body.dimensions : (options.dimensions ?? 64);
        const texts = input as string[];
        const data = texts.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: fakeEmbedding(text, size),
        }));
        const tokens = texts.reduce((sum, text) => sum + fakeTokenCount(text), 0);
        reply.json(200, {
          object: 'list',
          data: options.reverseEmbeddings ? data.reverse() : data,
          model: body.model,
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      },
      'POST /v1/chat/completions': async (request, reply) => {
        const body = request.body as OpenAIChatBody;
        if (!isServed(body.model)) return notFound(reply, body.model);
        if (options.jsonSchema === false && body.response_format?.type === 'json_schema') {
          return reply.json(
            400,
            apiError(
              "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
              'invalid_request_error',
              null,
              'response_format',
            ),
          );
        }
        await answerChat(body, reply);
      },
    },
    {
      delayMs: options.delayMs,
      defaultFailureBody: (status) => apiError(`injected failure (HTTP ${status})`, 'server_error'),
      guard: (request, reply) => {
        if (options.apiKey === undefined || request.headers.authorization === `Bearer ${options.apiKey}`)
          return false;
        reply.json(401, apiError('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
        return true;
      },
    },
  );

  async function answerChat(body: OpenAIChatBody, reply: FakeReply): Promise<void> {
    const answer = await script.next(body);
    if (answer.delayMs) await reply.wait(answer.delayMs);
    if (answer.status !== undefined) {
      return reply.json(
        answer.status,
        answer.body ?? apiError(`scripted failure (HTTP ${answer.status})`, 'server_error'),
      );
    }
    const text = answer.text ?? '';
    const promptTokens =
      answer.promptTokens ?? body.messages.reduce((sum, message) => sum + fakeTokenCount(message.content), 0);
    const completionTokens = answer.completionTokens ?? fakeTokenCount(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const base = { id: 'chatcmpl-fake', created: 1_700_000_000, model: body.model };
    if (body.stream !== true) {
      return reply.json(200, {
        ...base,
        object: 'chat.completion',
        choices: [
          { index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop' },
        ],
        usage,
      });
    }
    const chunk = (delta: Record<string, unknown>, finishReason: string | null) =>
      `data: ${JSON.stringify({
        ...base,
        object: 'chat.completion.chunk',
        choices: [{ index: 0, delta, finish_reason: finishReason }],
      })}\n\n`;
    await reply.stream('text/event-stream', [
      chunk({ role: 'assistant', content: '' }, null),
      ...streamPieces(text).map((piece) => chunk({ content: piece }, null)),
      chunk({}, 'stop'),
      'data: [DONE]\n\n',
    ]);
  }

  return Object.assign(server, {
    baseUrl: `${server.url}/v1`,
    scriptChat: (replies: ScriptedReply[]) => script.push(replies),
    onChat: (handler: ChatHandler<OpenAIChatBody>) => script.setHandler(handler),
  });
}
