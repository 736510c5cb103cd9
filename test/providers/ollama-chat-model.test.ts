import { describe, expect, it, onTestFinished } from 'vitest';
import { OllamaChatModel } from '../../src/providers/ollama/ollama-chat-model.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { type FakeOllamaOptions, startFakeOllama } from '../support/fake-ollama.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };
const factsSchema = {
  name: 'facts',
  schema: {
    type: 'object',
    properties: { facts: { type: 'array', items: { type: 'string' } } },
    required: ['facts'],
  },
};

async function fakeOllama(options: FakeOllamaOptions = {}) {
  const fake = await startFakeOllama(options);
  onTestFinished(() => fake.close());
  return fake;
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('OllamaChatModel', () => {
  it('sends format, options and keep_alive, and maps reported usage', async () => {
    const fake = await fakeOllama({ models: ['llama3.2:3b'] });
    fake.scriptChat(['{"facts":["likes green tea"]}']);
    const model = new OllamaChatModel(
      { model: 'llama3.2:3b', baseUrl: fake.url, numCtx: 8192, keepAlive: '10m' },
      fast,
    );
    expect(model.id).toBe('ollama:llama3.2:3b');

    const response = await model.complete({
      messages: [
        { role: 'system', content: 'Extract facts.' },
        { role: 'user', content: 'I like green tea' },
      ],
      schema: factsSchema,
    });

    expect(fake.requests[0]?.path).toBe('/api/chat');
    expect(fake.requests[0]?.body).toEqual({
      model: 'llama3.2:3b',
      messages: [
        { role: 'system', content: 'Extract facts.' },
        { role: 'user', content: 'I like green tea' },
      ],
      stream: false,
      format: factsSchema.schema,
      options: { temperature: 0, num_ctx: 8192 },
      keep_alive: '10m',
    });
    expect(response).toEqual({
      text: '{"facts":["likes green tea"]}',
      usage: { inputTokens: 6, outputTokens: 3, reported: true },
      model: 'llama3.2:3b',
    });
  });

  it('sends free-text requests without format and with the caller temperature and token cap', async () => {
    const fake = await fakeOllama();
    const model = new OllamaChatModel({ model: 'm', baseUrl: fake.url }, fast);
    const response = await model.complete({
      messages: [{ role: 'user', content: 'hello there' }],
      temperature: 0.7,
      maxOutputTokens: 100,
    });
    expect(fake.requests[0]?.body).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'hello there' }],
      stream: false,
      options: { temperature: 0.7, num_predict: 100 },
    });
    expect(response.text).toBe('You said: hello there');
  });

  it('estimates usage when Ollama does not report counts', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/chat', {
      status: 200,
      body: { model: 'm', message: { role: 'assistant', content: 'a short reply' }, done: true },
    });
    const model = new OllamaChatModel({ model: 'm', baseUrl: fake.url }, fast);
    const response = await model.complete({ messages: [{ role: 'user', content: 'say something short' }] });
    expect(response.usage.reported).toBe(false);
    expect(response.usage.inputTokens).toBeGreaterThan(3);
    expect(response.usage.outputTokens).toBe(3);
  });

  it('retries a scripted 500 and returns the next answer', async () => {
    const fake = await fakeOllama();
    fake.scriptChat([{ status: 500 }, 'second time lucky']);
    const model = new OllamaChatModel({ model: 'm', baseUrl: fake.url }, fast);
    const response = await model.complete({ messages: [{ role: 'user', content: 'hi' }] });
    expect(response.text).toBe('second time lucky');
    expect(fake.requests).toHaveLength(2);
  });

  it('reports a slow model as llm_unreachable after its timeout', async () => {
    const fake = await fakeOllama();
    fake.hold(); // never answers, so the timeout cannot race a late reply
    const model = new OllamaChatModel({ model: 'm', baseUrl: fake.url, timeoutMs: 50, maxRetries: 0 }, fast);
    const error = await model
      .complete({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(MemoryError.is(error, 'llm_unreachable')).toBe(true);
    expect((error as MemoryError).isRetryable).toBe(true);
  });

  it('says which model to pull', async () => {
    const fake = await fakeOllama({ models: ['nomic-embed-text'] });
    const model = new OllamaChatModel({ model: 'llama3.2:3b', baseUrl: fake.url }, fast);
    const error = await model
      .complete({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(MemoryError.is(error, 'llm_error')).toBe(true);
    expect((error as MemoryError).message).toBe(
      'Model llama3.2:3b is not pulled in Ollama: run `ollama pull llama3.2:3b`.',
    );
  });

  it('streams NDJSON message chunks', async () => {
    const fake = await fakeOllama();
    fake.scriptChat(['The user likes green tea.']);
    const model = new OllamaChatModel({ model: 'm', baseUrl: fake.url }, fast);
    const chunks = await collect(model.stream({ messages: [{ role: 'user', content: 'hi' }] }));
    expect(chunks).toEqual(['The ', 'user ', 'likes ', 'green ', 'tea.']);
    expect((fake.requests[0]!.body as { stream: boolean }).stream).toBe(true);
  });

  it('fails a stream whose server reports an error mid-way', async () => {
    const lines = [
      JSON.stringify({ message: { role: 'assistant', content: 'partial' }, done: false }),
      JSON.stringify({ error: 'model runner crashed' }),
    ];
    const fetch = async () => new Response(`${lines.join('\n')}\n`, { status: 200 });
    const model = new OllamaChatModel({ model: 'm' }, { fetch });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of model.stream({ messages: [{ role: 'user', content: 'hi' }] }))
        chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(['partial']);
    expect(MemoryError.is(error, 'llm_error')).toBe(true);
    expect((error as MemoryError).message).toContain('model runner crashed');
  });

  it('reports a stream that goes silent as llm_unreachable', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(
          new TextEncoder().encode(`${JSON.stringify({ message: { content: 'hello' } })}\n`),
        );
        // then nothing, forever
      },
    });
    const fetch = async () => new Response(body, { status: 200 });
    const model = new OllamaChatModel({ model: 'm', timeoutMs: 50 }, { fetch });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of model.stream({ messages: [{ role: 'user', content: 'hi' }] }))
        chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(['hello']);
    expect(MemoryError.is(error, 'llm_unreachable')).toBe(true);
  });

  it('health() checks the model is pulled', async () => {
    const fake = await fakeOllama({ models: ['llama3.2'] });
    expect((await new OllamaChatModel({ model: 'llama3.2:latest', baseUrl: fake.url }).health()).ok).toBe(
      true,
    );
    expect((await new OllamaChatModel({ model: 'qwen3:4b', baseUrl: fake.url }).health()).ok).toBe(false);
  });
});
