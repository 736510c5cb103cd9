import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { countTokens } from '../../util/token-count.js';
import { HashEmbedder } from './hash-embedder.js';
import { answerPrompt, type PromptKind, promptKindOf } from './scripted-answers.js';
import { messageTokens } from './scripted-chat-model.js';

/** What the server saw since the last reset, counted the same way for every client. */
export interface FakeOpenAIStats {
  chatCalls: number;
  /** countTokens over the text of every message sent (the response_format schema is not included). */
  promptTokens: number;
  /** countTokens of the JSON schema sent in response_format (what structured output adds). */
  schemaTokens: number;
  completionTokens: number;
  embedCalls: number;
  embeddedTexts: number;
  /** Time inside the handlers, from the whole body read to the reply written. */
  handlerMs: number;
  byPrompt: Partial<Record<PromptKind, number>>;
  /** Requests the server could not answer (a non-2xx reply); the first reason is kept. */
  errors: number;
  firstError: string | null;
}

export interface FakeOpenAIServer {
  /** http://127.0.0.1:<port>/v1 */
  baseUrl: string;
  stats: FakeOpenAIStats;
  resetStats(): void;
  close(): Promise<void>;
}

const emptyStats = (): FakeOpenAIStats => ({
  chatCalls: 0,
  promptTokens: 0,
  schemaTokens: 0,
  completionTokens: 0,
  embedCalls: 0,
  embeddedTexts: 0,
  handlerMs: 0,
  byPrompt: {},
  errors: 0,
  firstError: null,
});

interface ChatBody {
  model?: string;
  messages?: { role: string; content: string }[];
  response_format?: { type?: string; json_schema?: { name?: string; schema?: unknown } };
}

interface EmbeddingsBody {
  model?: string;
  input?: string | string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
}

/**
 * A zero-latency OpenAI-compatible server on 127.0.0.1 for the side-by-side benchmark: both engram
 * and mem0 talk to it over real HTTP, so both pay the same transport costs. /v1/embeddings returns
 * the HashEmbedder vectors (384 dimensions unless `dimensions` is asked for); /v1/chat/completions
 * answers the prompts scripted-answers.ts knows and 400s anything else, so a changed prompt shows.
 */
export async function startFakeOpenAIServer(
  options: { dimensions?: number } = {},
): Promise<FakeOpenAIServer> {
  const embedders = new Map<number, HashEmbedder>();
  const embedderFor = (dims: number) => {
    const known = embedders.get(dims);
    if (known) return known;
    const created = new HashEmbedder(dims);
    embedders.set(dims, created);
    return created;
  };
  const defaultDims = options.dimensions ?? 384;
  const state = { stats: emptyStats() };

  const fail = (res: ServerResponse, status: number, message: string) => {
    state.stats.errors++;
    state.stats.firstError ??= message;
    send(res, status, { error: { message, type: 'invalid_request_error' } });
  };

  const chat = (body: ChatBody, res: ServerResponse) => {
    const messages = body.messages ?? [];
    const userPrompt = messages.find((m) => m.role === 'user')?.content ?? '';
    const kind = promptKindOf(body.response_format?.json_schema?.name, userPrompt);
    if (!kind) return fail(res, 400, 'fake server: unrecognised prompt');
    const text = answerPrompt(kind, userPrompt);
    const promptTokens = messageTokens(messages);
    const completionTokens = countTokens(text);
    const schema = body.response_format?.json_schema?.schema;
    const s = state.stats;
    s.chatCalls++;
    s.promptTokens += promptTokens;
    s.schemaTokens += schema === undefined ? 0 : countTokens(JSON.stringify(schema));
    s.completionTokens += completionTokens;
    s.byPrompt[kind] = (s.byPrompt[kind] ?? 0) + 1;
    send(res, 200, {
      id: `chatcmpl-${s.chatCalls}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'fake',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  };

  const embeddings = (body: EmbeddingsBody, res: ServerResponse) => {
    const input = typeof body.input === 'string' ? [body.input] : (body.input ?? []);
    const embedder = embedderFor(body.dimensions ?? defaultDims);
    state.stats.embedCalls++;
    state.stats.embeddedTexts += input.length;
    const data = input.map((text, index) => {
      const vector = embedder.vector(text);
      const embedding =
        body.encoding_format === 'base64'
          ? Buffer.from(Float32Array.from(vector).buffer).toString('base64')
          : vector;
      return { object: 'embedding', index, embedding };
    });
    send(res, 200, { object: 'list', data, model: body.model ?? 'fake' });
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const started = performance.now();
      try {
        const path = (req.url ?? '').split('?')[0];
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as unknown;
        if (req.method === 'POST' && path === '/v1/chat/completions') chat(body as ChatBody, res);
        else if (req.method === 'POST' && path === '/v1/embeddings') embeddings(body as EmbeddingsBody, res);
        else if (req.method === 'GET' && path === '/v1/models') send(res, 200, { object: 'list', data: [] });
        else fail(res, 404, `fake server: no route ${req.method} ${path}`);
      } catch (error) {
        fail(res, 500, `fake server: ${error instanceof Error ? error.message : String(error)}`);
      }
      state.stats.handlerMs += performance.now() - started;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get stats() {
      return state.stats;
    },
    resetStats() {
      state.stats = emptyStats();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
