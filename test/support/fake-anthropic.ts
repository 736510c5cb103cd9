import { type ChatHandler, ChatScript, type ScriptedReply, streamPieces } from './fake-chat-script.js';
import { fakeTokenCount } from './fake-embedding.js';
import { type FakeHttpServer, type FakeReply, type FakeRoute, startFakeHttp } from './fake-http.js';

export type { ScriptedReply } from './fake-chat-script.js';

export interface FakeAnthropicOptions {
  /** Requests without this `x-api-key` get 401 (default "sk-ant-test"). */
  apiKey?: string;
  /** Served models (GET /v1/models/{id}); any other model answers 404 not_found_error. Default: any model. */
  models?: string[];
  /** false: no /v1/models endpoints at all, like a proxy that only forwards messages. */
  modelsEndpoint?: boolean;
  delayMs?: number;
}

/** The request body of /v1/messages as the fake parsed it. */
export interface AnthropicMessagesBody {
  model: string;
  max_tokens: number;
  system?: string;
  messages: { role: string; content: string }[];
  temperature?: number;
  tools?: { name: string; description?: string; input_schema: unknown }[];
  tool_choice?: { type: string; name?: string };
  stream?: boolean;
  [field: string]: unknown;
}

export interface FakeAnthropic extends FakeHttpServer {
  /**
   * Replies in order. For a request with a forced tool, the text is parsed as JSON and sent as the tool_use
   * block's input (so script the JSON the model should produce).
   */
  scriptChat(replies: ScriptedReply[]): void;
  onChat(handler: ChatHandler<AnthropicMessagesBody>): void;
}

const apiError = (type: string, message: string) => ({ type: 'error', error: { type, message } });

/** A fake Anthropic speaking the real wire shapes of /v1/messages (JSON and SSE) and /v1/models. */
export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? 'sk-ant-test';
  const script = new ChatScript<AnthropicMessagesBody>((body) =>
    body.tools === undefined ? `You said: ${body.messages.at(-1)?.content ?? ''}` : '{}',
  );
  const isServed = (model: unknown) =>
    options.models === undefined || (typeof model === 'string' && options.models.includes(model));
  const notFound = (reply: FakeReply, model: unknown) =>
    reply.json(404, apiError('not_found_error', `model: ${String(model)}`));

  const routes: Record<string, FakeRoute> = {
    'POST /v1/messages': async (request, reply) => {
      const body = request.body as AnthropicMessagesBody;
      if (!isServed(body.model)) return notFound(reply, body.model);
      if (typeof body.max_tokens !== 'number') {
        return reply.json(400, apiError('invalid_request_error', 'max_tokens: Field required'));
      }
      await answer(body, reply);
    },
    'POST /v1/messages/count_tokens': (request, reply) => {
      const body = request.body as AnthropicMessagesBody;
      if (!isServed(body.model)) return notFound(reply, body.model);
      reply.json(200, { input_tokens: inputTokens(body) });
    },
  };
  if (options.modelsEndpoint !== false) {
    const models = options.models ?? [];
    routes['GET /v1/models'] = (_request, reply) =>
      reply.json(200, { data: models.map(modelInfo), has_more: false, first_id: null, last_id: null });
    for (const model of models) {
      routes[`GET /v1/models/${model}`] = (_request, reply) => reply.json(200, modelInfo(model));
    }
  }

  const server = await startFakeHttp(routes, {
    delayMs: options.delayMs,
    defaultFailureBody: (status) =>
      status === 529
        ? apiError('overloaded_error', 'Overloaded')
        : apiError('api_error', `injected failure (HTTP ${status})`),
    guard: (request, reply) => {
      if (request.headers['x-api-key'] === apiKey) {
        if (options.modelsEndpoint === false || !request.path.startsWith('/v1/models/')) return false;
        // Unknown model ids on the lookup endpoint are 404s, as upstream.
        const id = decodeURIComponent(request.path.slice('/v1/models/'.length));
        if (options.models?.includes(id)) return false;
        notFound(reply, id);
        return true;
      }
      reply.json(401, apiError('authentication_error', 'invalid x-api-key'));
      return true;
    },
  });

  async function answer(body: AnthropicMessagesBody, reply: FakeReply): Promise<void> {
    const scripted = await script.next(body);
    if (scripted.delayMs) await reply.wait(scripted.delayMs);
    if (scripted.status !== undefined) {
      return reply.json(
        scripted.status,
        scripted.body ?? apiError('api_error', `scripted failure (HTTP ${scripted.status})`),
      );
    }
    const text = scripted.text ?? '';
    const tool = body.tool_choice?.type === 'tool' ? body.tool_choice.name : undefined;
    const usage = {
      input_tokens: scripted.promptTokens ?? inputTokens(body),
      output_tokens: scripted.completionTokens ?? fakeTokenCount(text),
    };
    const message = {
      id: 'msg_fake',
      type: 'message',
      role: 'assistant',
      model: body.model,
      stop_sequence: null,
    };
    if (body.stream !== true) {
      const content =
        tool === undefined
          ? [{ type: 'text', text }]
          : [{ type: 'tool_use', id: 'toolu_fake', name: tool, input: JSON.parse(text) as unknown }];
      return reply.json(200, {
        ...message,
        content,
        stop_reason: tool === undefined ? 'end_turn' : 'tool_use',
        usage,
      });
    }
    const event = (type: string, data: Record<string, unknown>) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const block =
      tool === undefined
        ? { type: 'text', text: '' }
        : { type: 'tool_use', id: 'toolu_fake', name: tool, input: {} };
    const delta = (piece: string) =>
      tool === undefined
        ? { type: 'text_delta', text: piece }
        : { type: 'input_json_delta', partial_json: piece };
    await reply.stream('text/event-stream', [
      event('message_start', {
        message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } },
      }),
      event('content_block_start', { index: 0, content_block: block }),
      'event: ping\ndata: {"type": "ping"}\n\n',
      ...streamPieces(text).map((piece) => event('content_block_delta', { index: 0, delta: delta(piece) })),
      event('content_block_stop', { index: 0 }),
      event('message_delta', {
        delta: { stop_reason: tool === undefined ? 'end_turn' : 'tool_use', stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      }),
      event('message_stop', {}),
    ]);
  }

  return Object.assign(server, {
    scriptChat: (replies: ScriptedReply[]) => script.push(replies),
    onChat: (handler: ChatHandler<AnthropicMessagesBody>) => script.setHandler(handler),
  });
}

function modelInfo(id: string) {
  return { type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' };
}

function inputTokens(body: AnthropicMessagesBody): number {
  const system = body.system === undefined ? 0 : fakeTokenCount(body.system);
  return body.messages.reduce((sum, message) => sum + fakeTokenCount(message.content), system);
}
