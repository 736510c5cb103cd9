import { describe, expect, it, onTestFinished } from 'vitest';
import {
  createChatModel,
  createEmbedder,
  listProviders,
  registerProvider,
} from '../../src/providers/registry.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import type { FetchLike } from '../../src/spec/provider-settings.js';
import { startFakeOllama } from '../support/fake-ollama.js';
import { startFakeOpenAI } from '../support/fake-openai.js';

function thrown(fn: () => unknown): MemoryError {
  try {
    fn();
  } catch (error) {
    if (MemoryError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a MemoryError');
}

/** A fetch that records URLs and headers and answers like an OpenAI-compatible embeddings endpoint. */
function recordingFetch(): { fetch: FetchLike; calls: { url: string; headers: Headers }[] } {
  const calls: { url: string; headers: Headers }[] = [];
  const fetch: FetchLike = async (input, init) => {
    calls.push({ url: String(input), headers: new Headers(init?.headers) });
    return Response.json({ data: [{ index: 0, embedding: [1, 0] }] });
  };
  return { fetch, calls };
}

describe('provider registry', () => {
  it('knows ollama, openai and the OpenAI-compatible presets', () => {
    expect(listProviders()).toEqual(
      expect.arrayContaining([
        'ollama',
        'openai',
        'groq',
        'together',
        'deepseek',
        'vllm',
        'lmstudio',
        'litellm',
      ]),
    );
  });

  it('rejects an unknown provider and lists the known ones', () => {
    const error = thrown(() => createEmbedder({ provider: 'nope', model: 'x' }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('Unknown provider "nope"');
    expect(error.message).toContain('ollama');
    expect(error.message).toContain('openai');
    expect(thrown(() => createChatModel({ provider: 'nope', model: 'x' })).code).toBe('invalid_config');
  });

  it('builds a working Ollama embedder and chat model', async () => {
    const fake = await startFakeOllama();
    onTestFinished(() => fake.close());
    const embedder = createEmbedder({ provider: 'ollama', model: 'nomic-embed-text', baseUrl: fake.url });
    expect(embedder.id).toBe('ollama:nomic-embed-text');
    expect((await embedder.embed(['hi'])).embeddings).toHaveLength(1);
    const chat = createChatModel({ provider: 'ollama', model: 'llama3.2:3b', baseUrl: fake.url });
    expect((await chat.complete({ messages: [{ role: 'user', content: 'hi' }] })).text).toBe('You said: hi');
  });

  it('uses the preset base URL, its key variable and its name in the id', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'gsk-env' });
    onTestFinished(() => fake.close());
    const chat = createChatModel(
      { provider: 'groq', model: 'llama-3.1-8b-instant', baseUrl: fake.baseUrl },
      { env: { GROQ_API_KEY: 'gsk-env', OPENAI_API_KEY: 'sk-wrong' } },
    );
    expect(chat.id).toBe('groq:llama-3.1-8b-instant');
    await chat.complete({ messages: [{ role: 'user', content: 'hi' }] });
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer gsk-env');
  });

  it('prefers settings.apiKey over the environment', async () => {
    const { fetch, calls } = recordingFetch();
    const embedder = createEmbedder(
      { provider: 'together', model: 'm', apiKey: 'from-settings' },
      { fetch, env: { TOGETHER_API_KEY: 'from-env' } },
    );
    await embedder.embed(['x']);
    expect(calls[0]?.url).toBe('https://api.together.xyz/v1/embeddings');
    expect(calls[0]?.headers.get('authorization')).toBe('Bearer from-settings');
  });

  it('requires a key for hosted presets and names their variable', () => {
    const error = thrown(() => createEmbedder({ provider: 'groq', model: 'm' }, { env: {} }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toBe('Groq API key is missing. Pass it as `apiKey` or set GROQ_API_KEY.');
    expect(thrown(() => createChatModel({ provider: 'openai', model: 'm' }, { env: {} })).message).toContain(
      'OPENAI_API_KEY',
    );
  });

  it('lets local presets run without a key on their default port', async () => {
    const expected: Record<string, string> = {
      vllm: 'http://localhost:8000/v1/embeddings',
      lmstudio: 'http://localhost:1234/v1/embeddings',
      litellm: 'http://localhost:4000/v1/embeddings',
    };
    for (const [provider, url] of Object.entries(expected)) {
      const { fetch, calls } = recordingFetch();
      await createEmbedder({ provider, model: 'm' }, { fetch, env: {} }).embed(['x']);
      expect(calls[0]?.url).toBe(url);
      expect(calls[0]?.headers.has('authorization')).toBe(false);
    }
  });

  it('accepts new providers without touching the registry code', async () => {
    registerProvider('echo-test', {
      defaults: { label: 'Echo' },
      chat: (settings) => ({
        id: `echo-test:${settings.model}`,
        complete: async (request) => ({
          text: request.messages.at(-1)?.content ?? '',
          usage: { inputTokens: 0, outputTokens: 0, reported: false },
          model: settings.model,
        }),
      }),
    });
    const chat = createChatModel({ provider: 'echo-test', model: 'v1' });
    expect((await chat.complete({ messages: [{ role: 'user', content: 'ping' }] })).text).toBe('ping');
    const error = thrown(() => createEmbedder({ provider: 'echo-test', model: 'v1' }));
    expect(error.code).toBe('invalid_config');
    expect(error.message).toContain('has no embedding models');
  });
});
