import { describe, expect, it, onTestFinished } from 'vitest';
import { OpenAIEmbedder } from '../../src/providers/openai/openai-embedder.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { countingFetch } from '../support/fake-http.js';
import { type FakeOpenAIOptions, fakeEmbedding, startFakeOpenAI } from '../support/fake-openai.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 }, env: {} };

async function fakeOpenAI(options: FakeOpenAIOptions = {}) {
  const fake = await startFakeOpenAI(options);
  onTestFinished(() => fake.close());
  return fake;
}

async function failure(promise: Promise<unknown>): Promise<MemoryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!MemoryError.is(error)) throw new Error(`expected a MemoryError, got ${String(error)}`);
  return error;
}

describe('OpenAIEmbedder', () => {
  it('posts {model, input, encoding_format} with the bearer key and sorts items by index', async () => {
    const fake = await fakeOpenAI({ apiKey: 'sk-test', reverseEmbeddings: true });
    const embedder = new OpenAIEmbedder(
      {
        model: 'text-embedding-3-small',
        baseUrl: fake.baseUrl,
        apiKey: 'sk-test',
        headers: { 'x-title': 'engram' },
      },
      fast,
    );
    expect(embedder.id).toBe('openai:text-embedding-3-small');

    const result = await embedder.embed(['green tea', 'black coffee', 'a dog named Rex']);

    const [request] = fake.requests;
    expect(request?.path).toBe('/v1/embeddings');
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.headers['x-title']).toBe('engram');
    expect(request?.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['green tea', 'black coffee', 'a dog named Rex'],
      encoding_format: 'float',
    });
    expect(result.embeddings).toEqual(
      ['green tea', 'black coffee', 'a dog named Rex'].map((t) => fakeEmbedding(t)),
    );
    expect(result.inputTokens).toBe(8);
    expect(embedder.dimensions).toBe(64);
  });

  it('sends dimensions when configured', async () => {
    const fake = await fakeOpenAI();
    const embedder = new OpenAIEmbedder({ model: 'm', baseUrl: fake.baseUrl, dimensions: 16 }, fast);
    const result = await embedder.embed(['hello']);
    expect((fake.requests[0]!.body as { dimensions: number }).dimensions).toBe(16);
    expect(result.embeddings[0]).toHaveLength(16);
  });

  it('appends /v1 to a bare origin and keeps any other path as given', async () => {
    const fake = await fakeOpenAI();
    await new OpenAIEmbedder({ model: 'm', baseUrl: fake.url }, fast).embed(['a']);
    await new OpenAIEmbedder({ model: 'm', baseUrl: `${fake.url}/v1/` }, fast).embed(['b']);
    // The fake serves only /v1, so the proxy path answers 404: what matters is where the request went.
    await new OpenAIEmbedder({ model: 'm', baseUrl: `${fake.url}/proxy` }, fast)
      .embed(['c'])
      .catch(() => undefined);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/v1/embeddings',
      '/v1/embeddings',
      '/proxy/embeddings',
    ]);
  });

  it('splits 150 texts into batches and keeps their order', async () => {
    const fake = await fakeOpenAI({ maxBatch: 64 });
    const embedder = new OpenAIEmbedder({ model: 'm', baseUrl: fake.baseUrl, batchSize: 64 }, fast);
    const texts = Array.from({ length: 150 }, (_, i) => `fact ${i} about user preferences ${i % 5}`);
    const result = await embedder.embed(texts);
    expect(fake.requests.map((r) => (r.body as { input: string[] }).input.length)).toEqual([64, 64, 22]);
    expect(result.embeddings).toEqual(texts.map((text) => fakeEmbedding(text)));
  });

  it('batches 512 by default', () => {
    expect(
      new OpenAIEmbedder({ model: 'm', baseUrl: 'http://localhost:8000' }, fast).maxEmbeddingsPerCall,
    ).toBe(512);
  });

  it('retries a 429 with retry-after-ms, then succeeds', async () => {
    const fake = await fakeOpenAI();
    fake.failNext('/v1/embeddings', { status: 429, headers: { 'retry-after-ms': '20' } });
    const embedder = new OpenAIEmbedder({ model: 'm', baseUrl: fake.baseUrl }, fast);
    const started = Date.now();
    await embedder.embed(['hello']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(fake.requests).toHaveLength(2);
  });

  it('requires an API key for api.openai.com only', () => {
    const error = (() => {
      try {
        new OpenAIEmbedder({ model: 'text-embedding-3-small' }, fast);
      } catch (e) {
        return e;
      }
    })();
    expect(MemoryError.is(error, 'invalid_config')).toBe(true);
    expect((error as MemoryError).message).toBe(
      'OpenAI API key is missing. Pass it as `apiKey` or set OPENAI_API_KEY.',
    );
    expect(() => new OpenAIEmbedder({ model: 'm', baseUrl: 'https://api.openai.com' }, fast)).toThrow(
      MemoryError,
    );
    expect(() => new OpenAIEmbedder({ model: 'm', baseUrl: 'http://localhost:1234/v1' }, fast)).not.toThrow();
  });

  it('reads OPENAI_API_KEY and OPENAI_BASE_URL from the environment', async () => {
    const fake = await fakeOpenAI({ apiKey: 'sk-env' });
    const embedder = new OpenAIEmbedder(
      { model: 'm' },
      { ...fast, env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: fake.url } },
    );
    await embedder.embed(['hello']);
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer sk-env');
  });

  it('explains a rejected key and does not retry it', async () => {
    const fake = await fakeOpenAI({ apiKey: 'sk-right' });
    const embedder = new OpenAIEmbedder({ model: 'm', baseUrl: fake.baseUrl, apiKey: 'sk-wrong' }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe(
      'OpenAI rejected the API key (Incorrect API key provided.). Check `apiKey` or OPENAI_API_KEY.',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('reports an unknown model clearly', async () => {
    const fake = await fakeOpenAI({ models: ['text-embedding-3-small'] });
    const embedder = new OpenAIEmbedder({ model: 'text-embedding-4', baseUrl: fake.baseUrl }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.statusCode).toBe(404);
    expect(error.message).toContain('Model text-embedding-4 is not available');
  });

  it('rejects a response whose size differs from the configured dimensions', async () => {
    const fake = await fakeOpenAI();
    fake.failNext('/v1/embeddings', {
      status: 200,
      body: { data: [{ index: 0, embedding: [0.6, 0.8] }], usage: { prompt_tokens: 1 } },
    });
    const embedder = new OpenAIEmbedder({ model: 'm', baseUrl: fake.baseUrl, dimensions: 3 }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.details).toEqual({ expected: 3, actual: 2 });
  });

  it('reports a timeout as embedder_unreachable after retries', async () => {
    const fake = await fakeOpenAI();
    fake.hold(); // never answers: the 50 ms timer is the only way either attempt can end
    const counted = countingFetch();
    const embedder = new OpenAIEmbedder(
      { model: 'm', baseUrl: fake.baseUrl, timeoutMs: 50, maxRetries: 1 },
      { ...fast, fetch: counted.fetch },
    );
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(counted.calls()).toBe(2);
  });

  describe('health()', () => {
    it('is ok when the server lists the model', async () => {
      const fake = await fakeOpenAI({ models: ['text-embedding-3-small'], apiKey: 'k' });
      const embedder = new OpenAIEmbedder(
        { model: 'text-embedding-3-small', baseUrl: fake.url, apiKey: 'k' },
        fast,
      );
      expect(await embedder.health()).toEqual({
        ok: true,
        detail: `OpenAI at ${fake.baseUrl} is up and serves text-embedding-3-small.`,
      });
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models']);
    });

    it('is not ok for an unlisted model, a bad key, or a dead server', async () => {
      const fake = await fakeOpenAI({ models: ['other'], apiKey: 'k' });
      expect(
        (await new OpenAIEmbedder({ model: 'm', baseUrl: fake.url, apiKey: 'k' }, fast).health()).ok,
      ).toBe(false);
      const badKey = await new OpenAIEmbedder(
        { model: 'other', baseUrl: fake.url, apiKey: 'x' },
        fast,
      ).health();
      expect(badKey.ok).toBe(false);
      expect(badKey.detail).toContain('rejected the API key');
      await fake.close();
      const down = await new OpenAIEmbedder({ model: 'other', baseUrl: fake.url }, fast).health();
      expect(down.ok).toBe(false);
      // The first request after a restart may hit a pooled keep-alive socket ("other side closed"), not ECONNREFUSED.
      expect(down.detail).toContain(`Could not reach OpenAI at ${fake.baseUrl}`);
    });
  });
});
