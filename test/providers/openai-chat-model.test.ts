import { describe, expect, it, onTestFinished } from 'vitest';
import { OpenAIChatModel } from '../../src/providers/openai/openai-chat-model.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { type FakeOpenAIOptions, startFakeOpenAI } from '../support/fake-openai.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, env: {} };
const factsSchema = {
  name: 'facts',
  schema: {
    type: 'object',
    properties: { facts: { type: 'array', items: { type: 'string' } } },
    required: ['facts'],
    additionalProperties: false,
  },
};
const messages = [
  { role: 'system' as const, content: 'Extract facts.' },
  { role: 'user' as const, content: 'I like green tea' },
];

async function fakeOpenAI(options: FakeOpenAIOptions = {}) {
  const fake = await startFakeOpenAI(options);
  onTestFinished(() => fake.close());
  return fake;
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('OpenAIChatModel', () => {
  it('sends response_format json_schema (strict) and maps reported usage', async () => {
    const fake = await fakeOpenAI({ apiKey: 'sk-test' });
    fake.scriptChat([{ text: '{"facts":["likes green tea"]}', promptTokens: 42, completionTokens: 9 }]);
    const model = new OpenAIChatModel(
      { model: 'gpt-4o-mini', baseUrl: fake.baseUrl, apiKey: 'sk-test' },
      fast,
    );
    expect(model.id).toBe('openai:gpt-4o-mini');

    const response = await model.complete({ messages, schema: factsSchema, maxOutputTokens: 200 });

    expect(fake.requests[0]?.path).toBe('/v1/chat/completions');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-test');
    expect(fake.requests[0]?.body).toEqual({
      model: 'gpt-4o-mini',
      messages,
      temperature: 0,
      max_tokens: 200,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'facts', schema: factsSchema.schema, strict: true },
      },
    });
    expect(response).toEqual({
      text: '{"facts":["likes green tea"]}',
      usage: { inputTokens: 42, outputTokens: 9, reported: true },
      model: 'gpt-4o-mini',
    });
  });

  it('sends free text without response_format or temperature', async () => {
    const fake = await fakeOpenAI();
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    const response = await model.complete({ messages: [{ role: 'user', content: 'hello' }] });
    expect(fake.requests[0]?.body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hello' }] });
    expect(response.text).toBe('You said: hello');
  });

  it('falls back to json_object once when json_schema is rejected, and remembers it', async () => {
    const fake = await fakeOpenAI({ jsonSchema: false });
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);

    const first = await model.complete({ messages, schema: factsSchema });
    const second = await model.complete({ messages, schema: factsSchema });

    expect(first.text).toBe('{}');
    expect(second.text).toBe('{}');
    const formats = fake.requests.map(
      (r) => (r.body as { response_format: { type: string } }).response_format.type,
    );
    expect(formats).toEqual(['json_schema', 'json_object', 'json_object']);
    const fallbackMessages = (fake.requests[1]!.body as { messages: { role: string; content: string }[] })
      .messages;
    expect(fallbackMessages).toHaveLength(2);
    expect(fallbackMessages[0]?.role).toBe('system');
    expect(fallbackMessages[0]?.content).toContain('Extract facts.');
    expect(fallbackMessages[0]?.content).toContain('JSON schema');
    expect(fallbackMessages[0]?.content).toContain(JSON.stringify(factsSchema.schema));
  });

  it('does not fall back on other 400s', async () => {
    const fake = await fakeOpenAI();
    fake.scriptChat([
      { status: 400, body: { error: { message: 'context length exceeded', type: 'invalid_request_error' } } },
    ]);
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    const error = await model.complete({ messages, schema: factsSchema }).catch((e: unknown) => e);
    expect(MemoryError.is(error, 'llm_error')).toBe(true);
    expect((error as MemoryError).statusCode).toBe(400);
    expect(fake.requests).toHaveLength(1);
  });

  it('estimates usage when the server omits it', async () => {
    const fake = await fakeOpenAI();
    fake.scriptChat([{ status: 200, body: { choices: [{ message: { content: 'hi there' } }] } }]);
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    const response = await model.complete({ messages });
    expect(response.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: 2, reported: false });
    expect(response.model).toBe('m');
  });

  it('retries a 503 and a 429', async () => {
    const fake = await fakeOpenAI();
    fake.scriptChat([{ status: 503 }, { status: 429 }, 'done']);
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    expect((await model.complete({ messages })).text).toBe('done');
    expect(fake.requests).toHaveLength(3);
  });

  it('reports a refused connection as llm_unreachable with a fix', async () => {
    const fake = await startFakeOpenAI();
    await fake.close();
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl, maxRetries: 0 }, fast);
    const error = await model.complete({ messages }).catch((e: unknown) => e);
    expect(MemoryError.is(error, 'llm_unreachable')).toBe(true);
    expect((error as MemoryError).message).toContain(`Could not reach OpenAI at ${fake.baseUrl}`);
    expect((error as MemoryError).message).toContain('set `baseUrl`');
  });

  it('streams SSE deltas until [DONE]', async () => {
    const fake = await fakeOpenAI();
    fake.scriptChat(['The user likes green tea.']);
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    const chunks = await collect(model.stream({ messages }));
    expect(chunks.join('')).toBe('The user likes green tea.');
    expect(chunks.length).toBeGreaterThan(1);
    expect((fake.requests[0]!.body as { stream: boolean }).stream).toBe(true);
  });

  it('falls back to json_object when a structured stream is rejected', async () => {
    const fake = await fakeOpenAI({ jsonSchema: false });
    fake.scriptChat(['{"facts": []}']);
    const model = new OpenAIChatModel({ model: 'm', baseUrl: fake.baseUrl }, fast);
    expect((await collect(model.stream({ messages, schema: factsSchema }))).join('')).toBe('{"facts": []}');
    expect(fake.requests).toHaveLength(2);
  });

  it('fails a stream that carries an error event', async () => {
    const sse =
      'data: {"choices":[{"delta":{"content":"par"}}]}\n\ndata: {"error":{"message":"overloaded"}}\n\n';
    const fetch = async () =>
      new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const model = new OpenAIChatModel({ model: 'm', baseUrl: 'http://localhost:8000' }, { fetch, env: {} });
    const chunks: string[] = [];
    const error = await (async () => {
      for await (const chunk of model.stream({ messages })) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(chunks).toEqual(['par']);
    expect(MemoryError.is(error, 'llm_error')).toBe(true);
    expect((error as MemoryError).message).toContain('overloaded');
  });

  it('uses max_completion_tokens on api.openai.com', async () => {
    const bodies: unknown[] = [];
    const fetch = async (_url: string | URL | Request, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      return Response.json({
        choices: [{ message: { content: 'ok' } }],
        usage: { prompt_tokens: 1, completion_tokens: 1 },
      });
    };
    const model = new OpenAIChatModel({ model: 'gpt-5-mini', apiKey: 'sk' }, { fetch, env: {} });
    await model.complete({ messages, maxOutputTokens: 50 });
    expect(bodies[0]).toMatchObject({ max_completion_tokens: 50 });
    expect(bodies[0]).not.toHaveProperty('max_tokens');
  });

  it('health() lists models', async () => {
    const fake = await fakeOpenAI({ models: ['gpt-4o-mini'] });
    expect((await new OpenAIChatModel({ model: 'gpt-4o-mini', baseUrl: fake.url }, fast).health()).ok).toBe(
      true,
    );
    expect((await new OpenAIChatModel({ model: 'gpt-5', baseUrl: fake.url }, fast).health()).ok).toBe(false);
  });
});
