import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { OllamaEmbedder } from '../../src/providers/ollama/ollama-embedder.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { countingFetch } from '../support/fake-http.js';
import { type FakeOllamaOptions, fakeEmbedding, startFakeOllama } from '../support/fake-ollama.js';

const fast = { retry: { baseDelayMs: 1, maxDelayMs: 5 } };

async function fakeOllama(options: FakeOllamaOptions = {}) {
  const fake = await startFakeOllama(options);
  onTestFinished(() => fake.close());
  return fake;
}

async function closedPortUrl(): Promise<string> {
  const fake = await startFakeOllama();
  await fake.close();
  return fake.url;
}

async function failure(promise: Promise<unknown>): Promise<MemoryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!MemoryError.is(error)) throw new Error(`expected a MemoryError, got ${String(error)}`);
  return error;
}

describe('OllamaEmbedder', () => {
  it('posts {model, input, truncate} to /api/embed and learns the dimensions', async () => {
    const fake = await fakeOllama({ dimensions: 32 });
    const embedder = new OllamaEmbedder({ model: 'nomic-embed-text', baseUrl: fake.url }, fast);
    expect(embedder.id).toBe('ollama:nomic-embed-text');
    expect(embedder.dimensions).toBeUndefined();

    const result = await embedder.embed(['I like green tea', 'my dog is called Rex']);

    expect(fake.requests).toHaveLength(1);
    const [request] = fake.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/api/embed');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      model: 'nomic-embed-text',
      input: ['I like green tea', 'my dog is called Rex'],
      truncate: true,
    });
    expect(result.embeddings).toEqual([
      fakeEmbedding('I like green tea', 32),
      fakeEmbedding('my dog is called Rex', 32),
    ]);
    expect(result.inputTokens).toBe(9);
    expect(embedder.dimensions).toBe(32);
  });

  it('splits 150 texts into batches of 64 and keeps their order', async () => {
    const fake = await fakeOllama({ maxBatch: 64 });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    const texts = Array.from({ length: 150 }, (_, i) => `memory number ${i} about topic ${i % 7}`);

    const result = await embedder.embed(texts);

    const sizes = fake.requestsTo('/api/embed').map((r) => (r.body as { input: string[] }).input.length);
    expect(sizes).toEqual([64, 64, 22]);
    expect(result.embeddings).toEqual(texts.map((text) => fakeEmbedding(text, 64)));
    expect(embedder.maxEmbeddingsPerCall).toBe(64);
  });

  it('proves the fake rejects batches over maxBatch (so the batching test means something)', async () => {
    const fake = await fakeOllama({ maxBatch: 10 });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url, batchSize: 11 }, fast);
    const error = await failure(embedder.embed(Array.from({ length: 11 }, () => 'x')));
    expect(error.code).toBe('embedder_error');
    expect(error.statusCode).toBe(400);
    expect(error.isRetryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('makes no request for an empty list', async () => {
    const fake = await fakeOllama();
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    expect(await embedder.embed([])).toEqual({ embeddings: [] });
    expect(fake.requests).toHaveLength(0);
  });

  it('retries a 500 and then succeeds', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/embed', { status: 500 });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    const result = await embedder.embed(['hello']);
    expect(result.embeddings).toEqual([fakeEmbedding('hello')]);
    expect(fake.requestsTo('/api/embed')).toHaveLength(2);
  });

  it('retries a 429 (honouring Retry-After) and then succeeds', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/embed', { status: 429, count: 2, headers: { 'retry-after': '0' } });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    await embedder.embed(['hello']);
    expect(fake.requestsTo('/api/embed')).toHaveLength(3);
  });

  it('gives up after maxRetries with the last error', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/embed', { status: 503, count: 10 });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url, maxRetries: 2 }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.statusCode).toBe(503);
    expect(error.isRetryable).toBe(true);
    expect(error.url).toBe(`${fake.url}/api/embed`);
    expect(error.responseBody).toContain('injected failure');
    expect(fake.requests).toHaveLength(3);
  });

  it('does not retry a 400', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/embed', { status: 400, body: { error: 'invalid input' } });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.message).toContain('invalid input');
    expect(fake.requests).toHaveLength(1);
  });

  it('reports a timeout as embedder_unreachable, retryable, after the retries are spent', async () => {
    const fake = await fakeOllama();
    fake.hold(); // never answers: the 50 ms timer is the only way either attempt can end
    const counted = countingFetch();
    const embedder = new OllamaEmbedder(
      { model: 'm', baseUrl: fake.url, timeoutMs: 50, maxRetries: 1 },
      { ...fast, fetch: counted.fetch },
    );
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('no answer within 50 ms');
    expect(error.details).toMatchObject({ timeoutMs: 50 });
    expect(counted.calls()).toBe(2);
  });

  it('explains how to fix a refused connection', async () => {
    const url = await closedPortUrl();
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: url, maxRetries: 0 }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe(
      `Could not reach Ollama at ${url} (ECONNREFUSED). Start it with \`ollama serve\` or set OLLAMA_BASE_URL.`,
    );
  });

  it('rejects vectors whose size differs from the configured dimensions', async () => {
    const fake = await fakeOllama({ dimensions: 64 });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url, dimensions: 768 }, fast);
    expect(embedder.dimensions).toBe(768);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.message).toContain('64');
    expect(error.message).toContain('768');
    expect(error.details).toEqual({ expected: 768, actual: 64 });
    expect(fake.requests).toHaveLength(1);
  });

  it('says which model to pull when Ollama does not have it', async () => {
    const fake = await fakeOllama({ models: ['llama3.2:3b'] });
    const embedder = new OllamaEmbedder({ model: 'nomic-embed-text', baseUrl: fake.url }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.statusCode).toBe(404);
    expect(error.message).toBe(
      'Model nomic-embed-text is not pulled in Ollama: run `ollama pull nomic-embed-text`.',
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects a 200 response that lacks embeddings', async () => {
    const fake = await fakeOllama();
    fake.failNext('/api/embed', { status: 200, body: { embedding: [1, 2] } });
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, fast);
    const error = await failure(embedder.embed(['hello']));
    expect(error.code).toBe('embedder_error');
    expect(error.message).toContain('embeddings');
  });

  it('passes the caller abort through instead of wrapping or retrying it', async () => {
    const fake = await fakeOllama();
    fake.hold();
    const counted = countingFetch();
    const embedder = new OllamaEmbedder({ model: 'm', baseUrl: fake.url }, { ...fast, fetch: counted.fetch });
    const controller = new AbortController();
    const pending = embedder.embed(['hello'], { signal: controller.signal });
    // Abort once the request is in the server's hands, not after a guessed delay.
    await vi.waitFor(() => expect(fake.requests).toHaveLength(1));
    controller.abort(new Error('user cancelled'));
    await expect(pending).rejects.toThrow('user cancelled');
    expect(counted.calls()).toBe(1);
  });

  it('reads OLLAMA_BASE_URL when no baseUrl is set and accepts a trailing /api', async () => {
    const fake = await fakeOllama();
    const embedder = new OllamaEmbedder(
      { model: 'm' },
      { ...fast, env: { OLLAMA_BASE_URL: `${fake.url}/api/` } },
    );
    await embedder.embed(['hello']);
    expect(fake.requests[0]?.path).toBe('/api/embed');
  });

  describe('health()', () => {
    it('is ok when the model is listed, with or without :latest', async () => {
      const fake = await fakeOllama({ models: ['nomic-embed-text:latest', 'llama3.2:3b'] });
      const health = await new OllamaEmbedder({ model: 'nomic-embed-text', baseUrl: fake.url }).health();
      expect(health.ok).toBe(true);
      expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/tags']);
      expect((await new OllamaEmbedder({ model: 'llama3.2:3b', baseUrl: fake.url }).health()).ok).toBe(true);
    });

    it('is not ok, and says what to pull, when the model is missing', async () => {
      const fake = await fakeOllama({ models: ['llama3.2:3b'] });
      const health = await new OllamaEmbedder({ model: 'nomic-embed-text', baseUrl: fake.url }).health();
      expect(health).toEqual({
        ok: false,
        detail: `Ollama at ${fake.url} is up, but nomic-embed-text is not pulled: run \`ollama pull nomic-embed-text\`.`,
      });
    });

    it('is not ok, without throwing, when Ollama is down', async () => {
      const url = await closedPortUrl();
      const health = await new OllamaEmbedder({ model: 'm', baseUrl: url }).health();
      expect(health.ok).toBe(false);
      expect(health.detail).toContain('ECONNREFUSED');
    });
  });
});
