import { describe, expect, it, onTestFinished } from 'vitest';
import { AnthropicChatModel } from '../../src/providers/anthropic/anthropic-chat-model.js';
import { createChatModel } from '../../src/providers/registry.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { type FakeAnthropicOptions, startFakeAnthropic } from '../support/fake-anthropic.js';

const KEY = 'sk-ant-test';
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
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'I like green tea' },
];

async function fakeAnthropic(options: FakeAnthropicOptions = {}) {
  const fake = await startFakeAnthropic(options);
  onTestFinished(() => fake.close());
  return fake;
}

function model(baseUrl: string, extra: { model?: string; maxRetries?: number } = {}) {
  return new AnthropicChatModel({ model: 'claude-haiku-4-5', baseUrl, apiKey: KEY, ...extra }, fast);
}

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function failure(promise: Promise<unknown>): Promise<MemoryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!MemoryError.is(error)) throw new Error(`expected a MemoryError, got ${String(error)}`);
  return error;
}

describe('AnthropicChatModel', () => {
  it('sends one forced tool for a schema and returns its input as JSON text with reported usage', async () => {
    const fake = await fakeAnthropic();
    fake.scriptChat([{ text: '{"facts":["likes green tea"]}', promptTokens: 42, completionTokens: 9 }]);
    const chat = model(fake.url);
    expect(chat.id).toBe('anthropic:claude-haiku-4-5');

    const response = await chat.complete({ messages, schema: factsSchema, maxOutputTokens: 300 });

    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 300,
      system: 'Extract facts.\n\nBe brief.',
      messages: [{ role: 'user', content: 'I like green tea' }],
      temperature: 0,
      tools: [
        {
          name: 'facts',
          description: 'Record the answer. The input must follow the facts JSON schema exactly.',
          input_schema: factsSchema.schema,
        },
      ],
      tool_choice: { type: 'tool', name: 'facts' },
    });
    expect(response).toEqual({
      text: '{"facts":["likes green tea"]}',
      usage: { inputTokens: 42, outputTokens: 9, reported: true },
      model: 'claude-haiku-4-5',
    });
    expect(JSON.parse(response.text)).toEqual({ facts: ['likes green tea'] });
  });

  it('sends free text with default max_tokens, no system, no tools and no temperature', async () => {
    const fake = await fakeAnthropic();
    const response = await model(fake.url).complete({
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(fake.requests[0]?.body).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 2048,
      messages: [
        { role: 'user', content: 'hello' },
        { role: 'assistant', content: 'hi' },
        { role: 'user', content: 'again' },
      ],
    });
    expect(response.text).toBe('You said: again');
    expect(response.usage.reported).toBe(true);
  });

  it('uses the configured temperature and a base URL ending in /v1', async () => {
    const fake = await fakeAnthropic();
    const chat = new AnthropicChatModel(
      { model: 'm', baseUrl: `${fake.url}/v1/`, apiKey: KEY, temperature: 0.7 },
      fast,
    );
    await chat.complete({ messages, schema: factsSchema });
    expect(fake.requests[0]?.path).toBe('/v1/messages');
    expect(fake.requests[0]?.body).toMatchObject({ temperature: 0.7 });
  });

  it('retries 529 overloaded and 429, then succeeds', async () => {
    const fake = await fakeAnthropic();
    fake.failNext('/v1/messages', { status: 529 });
    fake.scriptChat([{ status: 429 }, 'done']);
    const response = await model(fake.url).complete({ messages });
    expect(response.text).toBe('done');
    expect(fake.requests).toHaveLength(3);
  });

  it('gives up after maxRetries with a retryable llm_error carrying the status', async () => {
    const fake = await fakeAnthropic();
    fake.failNext('/v1/messages', { status: 529, count: 5 });
    const error = await failure(model(fake.url, { maxRetries: 1 }).complete({ messages }));
    expect(error.code).toBe('llm_error');
    expect(error.statusCode).toBe(529);
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('Overloaded');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    const fake = await fakeAnthropic();
    fake.scriptChat([
      { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } } },
    ]);
    const error = await failure(model(fake.url).complete({ messages }));
    expect(error.code).toBe('llm_error');
    expect(error.statusCode).toBe(400);
    expect(fake.requests).toHaveLength(1);
  });

  it('explains a rejected key and an unknown model', async () => {
    const fake = await fakeAnthropic({ models: ['claude-haiku-4-5'] });
    const badKey = new AnthropicChatModel(
      { model: 'claude-haiku-4-5', baseUrl: fake.url, apiKey: 'nope' },
      fast,
    );
    const keyError = await failure(badKey.complete({ messages }));
    expect(keyError.statusCode).toBe(401);
    expect(keyError.message).toContain('ANTHROPIC_API_KEY');

    const modelError = await failure(model(fake.url, { model: 'claude-9' }).complete({ messages }));
    expect(modelError.statusCode).toBe(404);
    expect(modelError.message).toContain('Model claude-9 is not available');
  });

  it('fails with llm_invalid_output when a structured reply has no tool call', async () => {
    const fake = await fakeAnthropic();
    fake.scriptChat([
      {
        status: 200,
        body: {
          model: 'claude-haiku-4-5',
          content: [{ type: 'text', text: 'I would rather not.' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 5, output_tokens: 5 },
        },
      },
    ]);
    const error = await failure(model(fake.url).complete({ messages, schema: factsSchema }));
    expect(error.code).toBe('llm_invalid_output');
  });

  it('requires an API key from settings or ANTHROPIC_API_KEY', () => {
    let error: unknown;
    try {
      new AnthropicChatModel({ model: 'm' }, { env: {} });
    } catch (caught) {
      error = caught;
    }
    expect(MemoryError.is(error, 'invalid_config')).toBe(true);
    expect((error as MemoryError).message).toContain('apiKey');
    expect((error as MemoryError).message).toContain('ANTHROPIC_API_KEY');
  });

  it('reads the key and base URL from the environment', async () => {
    const fake = await fakeAnthropic();
    const chat = new AnthropicChatModel(
      { model: 'm' },
      { ...fast, env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: fake.url } },
    );
    expect((await chat.complete({ messages })).text).toBe('You said: I like green tea');
    expect(fake.requests[0]?.headers['x-api-key']).toBe(KEY);
  });

  it('streams text_delta events', async () => {
    const fake = await fakeAnthropic();
    fake.scriptChat(['The user likes green tea.']);
    const chunks = await collect(model(fake.url).stream({ messages }));
    expect(chunks.join('')).toBe('The user likes green tea.');
    expect(chunks.length).toBeGreaterThan(1);
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, max_tokens: 2048 });
  });

  it('streams the tool input JSON for a schema', async () => {
    const fake = await fakeAnthropic();
    fake.scriptChat(['{"facts": ["likes green tea"]}']);
    const chunks = await collect(model(fake.url).stream({ messages, schema: factsSchema }));
    expect(JSON.parse(chunks.join(''))).toEqual({ facts: ['likes green tea'] });
  });

  it('retries a stream refused with 529 before any text', async () => {
    const fake = await fakeAnthropic();
    fake.failNext('/v1/messages', { status: 529 });
    fake.scriptChat(['after a retry']);
    expect((await collect(model(fake.url).stream({ messages }))).join('')).toBe('after a retry');
    expect(fake.requests).toHaveLength(2);
  });

  it('fails a stream that carries an error event', async () => {
    const sse = [
      'event: content_block_delta',
      'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"par"}}',
      '',
      'event: error',
      'data: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
      '',
      '',
    ].join('\n');
    const fetch = async () =>
      new Response(sse, { status: 200, headers: { 'content-type': 'text/event-stream' } });
    const chat = new AnthropicChatModel({ model: 'm', apiKey: KEY }, { fetch, env: {} });
    const chunks: string[] = [];
    const error = await failure(
      (async () => {
        for await (const chunk of chat.stream({ messages })) chunks.push(chunk);
      })(),
    );
    expect(chunks).toEqual(['par']);
    expect(error.code).toBe('llm_error');
    expect(error.message).toContain('Overloaded');
  });

  it('health() looks the model up, and falls back to count_tokens without a models endpoint', async () => {
    const fake = await fakeAnthropic({ models: ['claude-haiku-4-5'] });
    const ok = await model(fake.url).health();
    expect(ok.ok).toBe(true);
    expect(ok.detail).toContain('claude-haiku-4-5');
    const missing = await model(fake.url, { model: 'claude-9' }).health();
    expect(missing.ok).toBe(false);
    expect(missing.detail).toContain('claude-9');

    const proxy = await fakeAnthropic({ modelsEndpoint: false });
    const viaCount = await model(proxy.url).health();
    expect(viaCount).toEqual({ ok: true, detail: expect.stringContaining('accepted the API key') });
    expect(proxy.requestsTo('/v1/messages/count_tokens')).toHaveLength(1);

    const badKey = new AnthropicChatModel({ model: 'm', baseUrl: proxy.url, apiKey: 'nope' }, fast);
    expect((await badKey.health()).ok).toBe(false);
  });

  it('is registered as "anthropic"', async () => {
    const fake = await fakeAnthropic();
    const chat = createChatModel(
      { provider: 'anthropic', model: 'claude-haiku-4-5', baseUrl: fake.url, apiKey: KEY },
      fast,
    );
    expect(chat.id).toBe('anthropic:claude-haiku-4-5');
    expect((await chat.complete({ messages })).text).toBe('You said: I like green tea');
  });
});
