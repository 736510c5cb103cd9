import { type ChatHandler, ChatScript, type ScriptedReply, streamPieces } from './fake-chat-script.js';
import { fakeEmbedding, fakeTokenCount } from './fake-embedding.js';
import { type FakeHttpServer, type FakeReply, startFakeHttp } from './fake-http.js';

export type { ScriptedReply } from './fake-chat-script.js';
export { fakeEmbedding } from './fake-embedding.js';
export type { InjectedFailure, RecordedRequest } from './fake-http.js';

export interface FakeOllamaOptions {
  /** Size of every embedding (default 64). */
  dimensions?: number;
  /** Pulled models, listed by /api/tags. When given, embed/chat for any other model answers 404 like Ollama. */
  models?: string[];
  delayMs?: number;
  /** Larger /api/embed batches are rejected with 400, to prove the client batches. */
  maxBatch?: number;
}

/** The request body of /api/chat as the fake parsed it. */
export interface OllamaChatBody {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  format?: unknown;
  options?: Record<string, unknown>;
  keep_alive?: string | number;
}

export interface FakeOllama extends FakeHttpServer {
  /** Queues chat answers, used in order before onChat / the default. */
  scriptChat(replies: ScriptedReply[]): void;
  /** Answers chats once the script is empty. Default: "{}" for structured requests, else an echo. */
  onChat(handler: ChatHandler<OllamaChatBody>): void;
}

/** A fake Ollama speaking the real wire shapes of /api/embed, /api/tags and /api/chat. */
export async function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeOllama> {
  const dimensions = options.dimensions ?? 64;
  const script = new ChatScript<OllamaChatBody>((body) =>
    body.format === undefined ? `You said: ${body.messages.at(-1)?.content ?? ''}` : '{}',
  );
  const pulled = options.models?.map(withTag);
  const isPulled = (model: unknown) =>
    pulled === undefined || (typeof model === 'string' && pulled.includes(withTag(model)));
  const notFound = (reply: FakeReply, model: unknown) =>
    reply.json(404, { error: `model "${String(model)}" not found, try pulling it first` });

  const server = await startFakeHttp(
    {
      'GET /api/tags': (_request, reply) => {
        const models = (options.models ?? []).map((name) => ({
          name,
          model: name,
          modified_at: '2025-01-01T00:00:00Z',
          size: 1_000_000,
          digest: 'sha256:fake',
          details: { format: 'gguf', family: 'fake' },
        }));
        reply.json(200, { models });
      },
      'POST /api/embed': (request, reply) => {
        const body = request.body as { model?: unknown; input?: unknown };
        if (!isPulled(body.model)) return notFound(reply, body.model);
        const input = typeof body.input === 'string' ? [body.input] : body.input;
        if (!Array.isArray(input) || input.some((text) => typeof text !== 'string')) {
          return reply.json(400, { error: 'invalid input type' });
        }
        if (options.maxBatch !== undefined && input.length > options.maxBatch) {
          return reply.json(400, {
            error: `batch of ${input.length} exceeds the maximum of ${options.maxBatch}`,
          });
        }
        const texts = input as string[];
        reply.json(200, {
          model: body.model,
          embeddings: texts.map((text) => fakeEmbedding(text, dimensions)),
          total_duration: 1_000_000,
          load_duration: 1_000,
          prompt_eval_count: texts.reduce((sum, text) => sum + fakeTokenCount(text), 0),
        });
      },
      'POST /api/chat': async (request, reply) => {
        const body = request.body as OllamaChatBody;
        if (!isPulled(body.model)) return notFound(reply, body.model);
        await answerChat(body, reply);
      },
    },
    {
      delayMs: options.delayMs,
      defaultFailureBody: (status) => ({ error: `injected failure (HTTP ${status})` }),
    },
  );

  async function answerChat(body: OllamaChatBody, reply: FakeReply): Promise<void> {
    const answer = await script.next(body);
    if (answer.delayMs) await reply.wait(answer.delayMs);
    if (answer.status !== undefined) {
      return reply.json(answer.status, answer.body ?? { error: `scripted failure (HTTP ${answer.status})` });
    }
    const text = answer.text ?? '';
    const promptEvalCount =
      answer.promptTokens ?? body.messages.reduce((sum, message) => sum + fakeTokenCount(message.content), 0);
    const evalCount = answer.completionTokens ?? fakeTokenCount(text);
    const base = { model: body.model, created_at: new Date().toISOString() };
    const final = {
      ...base,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: 'stop',
      total_duration: 1_000_000,
      prompt_eval_count: promptEvalCount,
      eval_count: evalCount,
    };
    // Ollama streams unless told otherwise.
    if (body.stream === false) {
      return reply.json(200, { ...final, message: { role: 'assistant', content: text } });
    }
    const lines = streamPieces(text).map(
      (piece) =>
        `${JSON.stringify({ ...base, message: { role: 'assistant', content: piece }, done: false })}\n`,
    );
    await reply.stream('application/x-ndjson', [...lines, `${JSON.stringify(final)}\n`]);
  }

  return Object.assign(server, {
    scriptChat: (replies: ScriptedReply[]) => script.push(replies),
    onChat: (handler: ChatHandler<OllamaChatBody>) => script.setHandler(handler),
  });
}

function withTag(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}
