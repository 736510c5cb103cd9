import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChatModel,
  type ChatRequest,
  type ChatResponse,
  type Embedder,
  type EmbedResult,
  type EngramConfigInput,
  knownStores,
  type LlmCallEvent,
  listProviders,
  Memory,
  MemoryError,
  type ModelObserver,
  type Principal,
  registerProvider,
  registerStore,
  ScopedMemory,
  STORE_CAPABILITIES,
} from '../src/index.js';
import { Memory as Mem0Memory } from '../src/mem0/index.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** A provider written only against the package index, as a plugin author would. */
function recordingProvider() {
  const requests: ChatRequest[] = [];
  const chat = (model: string): ChatModel => ({
    id: `surface-test:${model}`,
    complete: async (request: ChatRequest): Promise<ChatResponse> => {
      requests.push(request);
      return {
        text: 'answer from surface-test',
        usage: { inputTokens: 3, outputTokens: 4, reported: true },
        model,
      };
    },
  });
  const embedder = (model: string): Embedder => ({
    id: `surface-test:${model}`,
    maxEmbeddingsPerCall: 16,
    dimensions: 4,
    embed: async (texts: string[]): Promise<EmbedResult> => ({
      embeddings: texts.map((t) => [t.length, 1, 0, 0]),
    }),
  });
  return { requests, chat, embedder };
}

describe('package index', () => {
  it('exports the runtime values a user needs', () => {
    expect(typeof Memory).toBe('function');
    expect(typeof MemoryError).toBe('function');
    expect(typeof ScopedMemory).toBe('function');
    expect(typeof registerProvider).toBe('function');
    expect(typeof listProviders).toBe('function');
    expect(typeof registerStore).toBe('function');
    expect(knownStores()).toContain('sqlite');
    expect(STORE_CAPABILITIES).toContain('versions');
    expect(new MemoryError('scope_forbidden', 'x').category).toBe('forbidden');
  });

  it('runs new Memory({llm: "<name>:<model>"}) on a provider added with registerProvider', async () => {
    const provider = recordingProvider();
    registerProvider('surface-test', {
      defaults: { label: 'Surface test' },
      chat: (settings) => provider.chat(settings.model),
      embedder: (settings) => provider.embedder(settings.model),
    });
    expect(listProviders()).toContain('surface-test');

    dir = mkdtempSync(join(tmpdir(), 'engram-surface-'));
    const config: EngramConfigInput = {
      dbPath: join(dir, 'engram.db'),
      llm: 'surface-test:chat-1',
      embedder: 'surface-test:embed-1',
    };
    const memory = new Memory(config, { env: {}, cwd: dir });
    const calls: LlmCallEvent[] = [];
    const observer: ModelObserver = { onLlmCall: (event) => calls.push(event) };
    memory.observeModels(observer);
    try {
      const result = await memory.chat('What do I like?', { userId: 'u1', remember: 'raw' });
      expect(result.reply).toBe('answer from surface-test');
      expect(provider.requests).toHaveLength(1);
      expect(provider.requests[0]?.messages.at(-1)).toEqual({ role: 'user', content: 'What do I like?' });
      expect(calls.map((c) => c.model)).toEqual(['surface-test:chat-1']);
    } finally {
      await memory.close();
    }
  });

  it('gives a pinned principal a ScopedMemory that refuses other scopes with scope_forbidden', async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-surface-'));
    const memory = new Memory(
      { dbPath: join(dir, 'engram.db'), llm: null, embedder: null },
      { env: {}, cwd: dir },
    );
    const principal: Principal = {
      tenant: memory.tenant,
      keyId: null,
      admin: false,
      pin: { userId: 'alice', agentId: null },
    };
    const scoped = new ScopedMemory(memory, principal);
    try {
      expect(scoped.scope({})).toEqual({ userId: 'alice' });
      const refused = (() => {
        try {
          scoped.scope({ userId: 'bob' });
        } catch (error) {
          return error;
        }
        return null;
      })();
      expect(MemoryError.is(refused, 'scope_forbidden')).toBe(true);
      expect((refused as MemoryError).details).toEqual({ field: 'user_id', pinned: 'alice' });
      expect(() => scoped.requireAdmin('reset')).toThrow(expect.objectContaining({ code: 'admin_required' }));
    } finally {
      await memory.close();
    }
  });
});

describe('package entry points', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    exports: Record<string, { types: string; import: string }>;
  };

  it('lists each entry point once, built from a source file that exists', () => {
    expect(Object.keys(pkg.exports)).toEqual(['.', './client', './mem0']);
    for (const entry of Object.values(pkg.exports)) {
      const source = entry.import.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts');
      expect(existsSync(new URL(`../${source}`, import.meta.url)), source).toBe(true);
      expect(entry.types).toBe(entry.import.replace(/\.js$/, '.d.ts'));
    }
  });

  it("exports mem0ai/oss's Memory class from engram/mem0", () => {
    expect(typeof Mem0Memory).toBe('function');
    expect(typeof Mem0Memory.fromConfig).toBe('function');
    for (const method of [
      'add',
      'get',
      'search',
      'update',
      'delete',
      'deleteAll',
      'history',
      'reset',
      'getAll',
    ]) {
      expect(typeof (Mem0Memory.prototype as unknown as Record<string, unknown>)[method], method).toBe(
        'function',
      );
    }
  });
});
