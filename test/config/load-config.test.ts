import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EngramConfigInput, loadConfig, loadConfigWithWarnings } from '../../src/config/index.js';
import { MemoryError } from '../../src/spec/memory-error.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'engram-config-'));
}

/** A cwd holding `engram.config.json` with the given content. */
function dirWithConfig(content: unknown): string {
  const dir = tempDir();
  const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2);
  writeFileSync(join(dir, 'engram.config.json'), text);
  return dir;
}

function configError(run: () => unknown): MemoryError {
  try {
    run();
  } catch (error) {
    expect(MemoryError.is(error, 'invalid_config')).toBe(true);
    return error as MemoryError;
  }
  throw new Error('expected an invalid_config error');
}

describe('loadConfig defaults', () => {
  it('resolves every default with no file, env or input', () => {
    const config = loadConfig(undefined, { env: {}, cwd: tempDir() });
    expect(config).toEqual({
      dbPath: './engram.db',
      tenant: 'default',
      embedder: { provider: 'ollama', model: 'nomic-embed-text', baseUrl: 'http://localhost:11434' },
      llm: [{ provider: 'ollama', model: 'llama3.2:3b', baseUrl: 'http://localhost:11434' }],
      search: {
        weights: { relevance: 0.7, recency: 0.15, importance: 0.15 },
        halfLifeDays: 30,
        candidates: 50,
        keywordWeight: 0.3,
        defaultLimit: 10,
      },
      limits: {
        maxTextChars: 20000,
        maxMessages: 200,
        maxMetadataBytes: 16384,
        maxFilterDepth: 32,
        maxFilterNodes: 1000,
        maxFilterList: 1000,
        maxMetadataDepth: 32,
      },
      extraction: { contextMessages: 10, mode: 'single-pass' },
      graph: { enabled: false, maxEntities: 20, maxRelations: 20, sameAbove: 0.92, askAbove: 0.8 },
      observe: {
        windowMessages: 50,
        windowMinutes: 10,
        overlap: 5,
        maxWindowTokens: 6000,
        includeBots: false,
        excludeSpeakers: [],
        skipPatterns: [],
        prices: {},
      },
      audit: { enabled: true, reads: true, retentionDays: 365 },
      retention: { purge: false, purgeEveryMinutes: 60 },
      safety: {
        instructions: 'flag',
        redact: { apiKeys: false, tokens: false, cards: false, emails: false, phones: false },
      },
      consolidation: { sameAbove: 0.95, askAbove: 0.85, maxMemories: 5000 },
    });
  });

  it('lifecycle settings are layered and checked by name', () => {
    const cwd = tempDir();
    const config = loadConfig(
      { retention: { runDays: 30 }, safety: { redact: { emails: true } }, audit: { reads: false } },
      { env: {}, cwd },
    );
    expect(config.retention.runDays).toBe(30);
    expect(config.safety.redact).toMatchObject({ emails: true, phones: false });
    expect(config.safety.instructions).toBe('flag');
    expect(config.audit).toEqual({ enabled: true, reads: false, retentionDays: 365 });
    expect(() => loadConfig({ safety: { instructions: 'block' } } as never, { env: {}, cwd })).toThrow(
      /safety\.instructions: expected "off", "flag" or "quarantine"/,
    );
    expect(() => loadConfig({ retention: { runDays: 0 } }, { env: {}, cwd })).toThrow(/retention\.runDays/);
    expect(() => loadConfig({ consolidation: { askAbove: 0.99 } }, { env: {}, cwd })).toThrow(
      /consolidation\.askAbove must not exceed/,
    );
    expect(() => loadConfig({ safety: { redact: { email: true } } } as never, { env: {}, cwd })).toThrow(
      /safety\.redact/,
    );
  });

  it('observe settings are checked: a bad skip pattern is named', () => {
    expect(() =>
      loadConfig({ observe: { skipPatterns: ['(unclosed'] } }, { env: {}, cwd: tempDir() }),
    ).toThrow(/observe\.skipPatterns\[0\]: expected a valid regular expression/);
  });

  it('graph settings are checked: thresholds in order, caps positive', () => {
    const cwd = tempDir();
    expect(loadConfig({ graph: { enabled: true } }, { env: {}, cwd }).graph.enabled).toBe(true);
    expect(() => loadConfig({ graph: { askAbove: 0.95, sameAbove: 0.9 } }, { env: {}, cwd })).toThrow(
      /graph\.askAbove must not exceed graph\.sameAbove/,
    );
    expect(() => loadConfig({ graph: { maxEntities: 0 } }, { env: {}, cwd })).toThrow(/graph\.maxEntities/);
    expect(() => loadConfig({ graph: { enable: true } } as never, { env: {}, cwd })).toThrow(/enable/);
  });

  it('keeps defaults for fields a partial section leaves out', () => {
    const config = loadConfig({ search: { weights: { recency: 0.5 } } }, { env: {}, cwd: tempDir() });
    expect(config.search.weights).toEqual({ relevance: 0.7, recency: 0.5, importance: 0.15 });
    expect(config.search.halfLifeDays).toBe(30);
  });

  it('null embedder means keyword-only search; null or [] llm means no LLM', () => {
    const cwd = tempDir();
    expect(loadConfig({ embedder: null }, { env: {}, cwd }).embedder).toBeNull();
    expect(loadConfig({ llm: null }, { env: {}, cwd }).llm).toEqual([]);
    expect(loadConfig({ llm: [] }, { env: {}, cwd }).llm).toEqual([]);
  });
});

describe('model ids', () => {
  const cwd = tempDir();

  it('splits "provider:model" at the first colon', () => {
    const config = loadConfig(
      { embedder: 'ollama:mxbai-embed-large', llm: 'ollama:llama3.2:3b' },
      { env: {}, cwd },
    );
    expect(config.embedder).toMatchObject({ provider: 'ollama', model: 'mxbai-embed-large' });
    expect(config.llm).toEqual([
      { provider: 'ollama', model: 'llama3.2:3b', baseUrl: 'http://localhost:11434' },
    ]);
  });

  it('wraps a single LLM object and accepts a mixed chain', () => {
    const single = loadConfig(
      { llm: { provider: 'openai', model: 'gpt-4o', apiKey: 'k' } },
      { env: {}, cwd },
    );
    expect(single.llm).toEqual([{ provider: 'openai', model: 'gpt-4o', apiKey: 'k' }]);
    const chain = loadConfig(
      { llm: ['ollama:qwen2.5:7b', { provider: 'openai', model: 'gpt-4o-mini', apiKey: 'k' }] },
      { env: {}, cwd },
    );
    expect(chain.llm.map((m) => `${m.provider}:${m.model}`)).toEqual([
      'ollama:qwen2.5:7b',
      'openai:gpt-4o-mini',
    ]);
  });

  it('rejects an id without a provider, saying how to write one', () => {
    const error = configError(() => loadConfig({ llm: 'llama3' }, { env: {}, cwd }));
    expect(error.message).toContain('llm[0]: expected a model id');
    expect(error.message).toContain('"llama3"');
    expect(error.message).toContain('ollama:llama3.2:3b');
  });
});

describe('config file', () => {
  it('reads engram.config.json from cwd', () => {
    const cwd = dirWithConfig({
      $schema: './schema.json',
      dbPath: '/data/mem.db',
      llm: 'openai:gpt-4o-mini',
    });
    const config = loadConfig(undefined, { env: { OPENAI_API_KEY: 'sk-test' }, cwd });
    expect(config.dbPath).toBe('/data/mem.db');
    expect(config.llm).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-test' }]);
  });

  it('reads the file named by ENGRAM_CONFIG or options.configPath', () => {
    const dir = tempDir();
    const path = join(dir, 'custom.json');
    writeFileSync(path, JSON.stringify({ tenant: 'acme' }));
    expect(loadConfig(undefined, { env: { ENGRAM_CONFIG: path }, cwd: tempDir() }).tenant).toBe('acme');
    expect(loadConfig(undefined, { env: {}, cwd: dir, configPath: 'custom.json' }).tenant).toBe('acme');
  });

  it('fails when an explicitly named file is missing', () => {
    const cwd = tempDir();
    const viaEnv = configError(() => loadConfig(undefined, { env: { ENGRAM_CONFIG: 'nope.json' }, cwd }));
    expect(viaEnv.message).toContain(join(cwd, 'nope.json'));
    expect(viaEnv.message).toContain('not found');
    expect(viaEnv.message).toContain('ENGRAM_CONFIG');
    const viaOption = configError(() => loadConfig(undefined, { env: {}, cwd, configPath: 'missing.json' }));
    expect(viaOption.message).toContain('missing.json');
  });

  it('names the file, line and column of invalid JSON', () => {
    const cwd = dirWithConfig('{\n  "dbPath": "x.db",\n  "tenant": ,\n}');
    const error = configError(() => loadConfig(undefined, { env: {}, cwd }));
    expect(error.message).toContain(join(cwd, 'engram.config.json'));
    expect(error.message).toContain('invalid JSON');
    expect(error.message).toMatch(/line 3, column \d+/);
  });

  it('rejects a file that is not a JSON object', () => {
    const cwd = dirWithConfig('[1, 2]');
    expect(configError(() => loadConfig(undefined, { env: {}, cwd })).message).toContain('JSON object');
  });

  it('names unknown keys and where they came from', () => {
    const cwd = dirWithConfig({ dbpath: 'x.db', search: { halfLife: 10 } });
    const error = configError(() => loadConfig(undefined, { env: {}, cwd }));
    expect(error.message).toContain('dbpath: unknown key (did you mean "dbPath"?)');
    expect(error.message).toContain('search.halfLife: unknown key (did you mean "halfLifeDays"?)');
    expect(error.message).toContain(`file ${join(cwd, 'engram.config.json')}`);
  });
});

describe('precedence: defaults < file < env < code', () => {
  const cwd = dirWithConfig({ dbPath: 'file.db', tenant: 'file-tenant', search: { halfLifeDays: 7 } });

  it('env wins over the file', () => {
    const config = loadConfig(undefined, { env: { ENGRAM_DB: 'env.db', ENGRAM_HALF_LIFE_DAYS: '14' }, cwd });
    expect(config.dbPath).toBe('env.db');
    expect(config.search.halfLifeDays).toBe(14);
    expect(config.tenant).toBe('file-tenant');
  });

  it('code wins over env', () => {
    const env = { ENGRAM_DB: 'env.db', ENGRAM_TENANT: 'env-tenant', ENGRAM_LLM: 'openai:gpt-4o' };
    const config = loadConfig({ dbPath: 'code.db', llm: 'ollama:phi3' }, { env, cwd });
    expect(config.dbPath).toBe('code.db');
    expect(config.tenant).toBe('env-tenant');
    expect(config.llm).toEqual([{ provider: 'ollama', model: 'phi3', baseUrl: 'http://localhost:11434' }]);
  });

  it('reports where each value came from', () => {
    const { sources } = loadConfigWithWarnings({ tenant: 'code' }, { env: { ENGRAM_DB: 'env.db' }, cwd });
    expect(sources.tenant).toBe('code');
    expect(sources.dbPath).toBe('env ENGRAM_DB');
    expect(sources['search.halfLifeDays']).toBe(`file ${join(cwd, 'engram.config.json')}`);
    expect(sources['limits.maxTextChars']).toBe('default');
  });

  it('a later layer with the same provider keeps earlier connection settings', () => {
    const dir = dirWithConfig({ embedder: { provider: 'ollama', model: 'x', baseUrl: 'http://gpu:11434' } });
    const config = loadConfig({ embedder: 'ollama:mxbai-embed-large' }, { env: {}, cwd: dir });
    expect(config.embedder).toEqual({
      provider: 'ollama',
      model: 'mxbai-embed-large',
      baseUrl: 'http://gpu:11434',
    });
  });
});

describe('environment', () => {
  const cwd = tempDir();

  it('ENGRAM_LLM builds a fallback chain', () => {
    const config = loadConfig(undefined, {
      env: { ENGRAM_LLM: 'ollama:a,openai:gpt-4o-mini', OPENAI_API_KEY: 'sk-env' },
      cwd,
    });
    expect(config.llm).toEqual([
      { provider: 'ollama', model: 'a', baseUrl: 'http://localhost:11434' },
      { provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk-env' },
    ]);
  });

  it('ENGRAM_INDEX and its companions configure a derived index; code refines it', () => {
    const config = loadConfig(
      { index: { collection: 'from-code' } },
      {
        env: {
          ENGRAM_INDEX: 'Qdrant',
          ENGRAM_INDEX_URL: 'http://qdrant:6333',
          ENGRAM_INDEX_API_KEY: 'secret',
        },
        cwd,
      },
    );
    expect(config.index).toEqual({
      provider: 'qdrant',
      url: 'http://qdrant:6333',
      apiKey: 'secret',
      collection: 'from-code',
    });
    expect(() => loadConfig({ index: { url: 'http://x' } }, { env: {}, cwd })).toThrow(/index/);
    expect(() =>
      loadConfig({ index: { provider: 'qdrant', path: '/x' } } as never, { env: {}, cwd }),
    ).toThrow(/path/);
  });

  it('"none" turns the embedder or the LLM off', () => {
    const config = loadConfig(undefined, { env: { ENGRAM_EMBEDDER: 'none', ENGRAM_LLM: 'none' }, cwd });
    expect(config.embedder).toBeNull();
    expect(config.llm).toEqual([]);
  });

  it('ENGRAM_EMBEDDER with its base URL and dimensions', () => {
    const config = loadConfig(undefined, {
      env: {
        ENGRAM_EMBEDDER: 'openai:text-embedding-3-small',
        ENGRAM_EMBEDDER_BASE_URL: 'http://vllm:8000/v1',
        ENGRAM_EMBEDDER_DIMENSIONS: '512',
        ENGRAM_LLM_BASE_URL: 'http://llm-box:11434',
        ENGRAM_MAX_TEXT_CHARS: '5000',
      },
      cwd,
    });
    expect(config.embedder).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      baseUrl: 'http://vllm:8000/v1',
      dimensions: 512,
    });
    expect(config.llm[0]?.baseUrl).toBe('http://llm-box:11434');
    expect(config.limits.maxTextChars).toBe(5000);
  });

  it('OLLAMA_HOST without a scheme becomes an http URL for every ollama provider', () => {
    const config = loadConfig(undefined, { env: { OLLAMA_HOST: 'gpu-box' }, cwd });
    expect(config.embedder?.baseUrl).toBe('http://gpu-box:11434');
    expect(config.llm[0]?.baseUrl).toBe('http://gpu-box:11434');
    const withPort = loadConfig(undefined, { env: { OLLAMA_HOST: '10.0.0.5:9999' }, cwd });
    expect(withPort.llm[0]?.baseUrl).toBe('http://10.0.0.5:9999');
  });

  it('OLLAMA_BASE_URL wins over OLLAMA_HOST but not over an explicit baseUrl', () => {
    const env = { OLLAMA_BASE_URL: 'http://a:11434', OLLAMA_HOST: 'b' };
    const config = loadConfig(
      { embedder: { provider: 'ollama', model: 'm', baseUrl: 'http://c:1' } },
      { env, cwd },
    );
    expect(config.llm[0]?.baseUrl).toBe('http://a:11434');
    expect(config.embedder?.baseUrl).toBe('http://c:1');
  });

  it('OLLAMA_MODEL and OLLAMA_EMBED_MODEL pick the ollama models', () => {
    const config = loadConfig(undefined, {
      env: { OLLAMA_MODEL: 'qwen2.5:7b', OLLAMA_EMBED_MODEL: 'bge-m3' },
      cwd,
    });
    expect(config.llm[0]?.model).toBe('qwen2.5:7b');
    expect(config.embedder?.model).toBe('bge-m3');
    const engramWins = loadConfig(undefined, {
      env: { OLLAMA_MODEL: 'qwen2.5:7b', ENGRAM_LLM: 'ollama:phi3' },
      cwd,
    });
    expect(engramWins.llm[0]?.model).toBe('phi3');
  });

  it('OPENAI_API_KEY and OPENAI_BASE_URL fill openai providers that have none', () => {
    const config = loadConfig(
      {
        llm: [
          { provider: 'openai', model: 'gpt-4o-mini' },
          { provider: 'openai', model: 'gpt-4o', apiKey: 'own' },
        ],
      },
      { env: { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: 'https://proxy.example/v1' }, cwd },
    );
    expect(config.llm[0]).toMatchObject({ apiKey: 'sk-env', baseUrl: 'https://proxy.example/v1' });
    expect(config.llm[1]?.apiKey).toBe('own');
  });

  it('MEM0_LLM_PROVIDER / MEM0_EMBEDDER_PROVIDER switch to that provider with its default model', () => {
    const config = loadConfig(undefined, {
      env: { MEM0_LLM_PROVIDER: 'openai', MEM0_EMBEDDER_PROVIDER: 'openai', OPENAI_API_KEY: 'sk' },
      cwd,
    });
    expect(config.llm).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', apiKey: 'sk' }]);
    expect(config.embedder).toEqual({ provider: 'openai', model: 'text-embedding-3-small', apiKey: 'sk' });
  });

  it('MEM0_LLM_PROVIDER without a known default model is an error with the fix', () => {
    const error = configError(() => loadConfig(undefined, { env: { MEM0_LLM_PROVIDER: 'anthropic' }, cwd }));
    expect(error.message).toContain('MEM0_LLM_PROVIDER');
    expect(error.message).toContain('ENGRAM_LLM=anthropic:<model>');
  });

  it('a number variable that does not parse is an error naming the variable', () => {
    const error = configError(() => loadConfig(undefined, { env: { ENGRAM_HALF_LIFE_DAYS: 'soon' }, cwd }));
    expect(error.message).toContain('ENGRAM_HALF_LIFE_DAYS: expected a number, got "soon"');
  });

  it('a number variable out of range names the path and the variable', () => {
    const error = configError(() => loadConfig(undefined, { env: { ENGRAM_MAX_TEXT_CHARS: '-3' }, cwd }));
    expect(error.message).toContain('limits.maxTextChars: expected a whole number > 0, got -3');
    expect(error.message).toContain('env ENGRAM_MAX_TEXT_CHARS');
  });

  it('one load leaves the defaults of the next untouched', () => {
    const env = { ENGRAM_LLM_BASE_URL: 'http://elsewhere:1', ENGRAM_EMBEDDER_BASE_URL: 'http://elsewhere:2' };
    expect(loadConfig(undefined, { env, cwd }).llm[0]?.baseUrl).toBe('http://elsewhere:1');
    const fresh = loadConfig(undefined, { env: {}, cwd });
    expect(fresh.llm[0]?.baseUrl).toBe('http://localhost:11434');
    expect(fresh.embedder?.baseUrl).toBe('http://localhost:11434');
  });

  it('blank variables count as unset', () => {
    expect(loadConfig(undefined, { env: { ENGRAM_DB: '  ', ENGRAM_LLM: '' }, cwd }).dbPath).toBe(
      './engram.db',
    );
  });
});

describe('validation errors', () => {
  const cwd = tempDir();

  it('an unknown top-level key is an error naming the key', () => {
    const input = { dbPath: 'x.db', embeder: 'ollama:x' } as EngramConfigInput;
    const error = configError(() => loadConfig(input, { env: {}, cwd }));
    expect(error.message).toContain('embeder: unknown key (did you mean "embedder"?)');
    expect(error.details?.problems).toEqual([expect.objectContaining({ path: 'embeder', source: 'code' })]);
  });

  it('a wrong type names the path, the value and the source', () => {
    const input = { search: { weights: { recency: 'high' } } } as unknown as EngramConfigInput;
    const error = configError(() => loadConfig(input, { env: {}, cwd }));
    expect(error.message).toContain('search.weights.recency: expected a number ≥ 0, got "high"');
    expect(error.message).toContain('from code');
  });

  it('lists every problem of every layer in one error', () => {
    const file = dirWithConfig({ extraction: { mode: 'fast' } });
    const input = { limits: { maxMessages: 0 } };
    const error = configError(() =>
      loadConfig(input, { env: { ENGRAM_LLM_BASE_URL: 'not a url', ENGRAM_MAX_TEXT_CHARS: 'x' }, cwd: file }),
    );
    expect(error.message).toContain('extraction.mode: expected "two-pass" or "single-pass", got "fast"');
    expect(error.message).toContain('limits.maxMessages: expected a whole number > 0, got 0');
    expect(error.message).toContain('ENGRAM_MAX_TEXT_CHARS');
    expect(error.message).toContain('llm[0].baseUrl: expected an http(s) URL');
    expect(error.message).toContain('env ENGRAM_LLM_BASE_URL');
  });

  it('filter and metadata limits are configurable, up to what SQLite can run', () => {
    const cwd = tempDir();
    const limits = { maxFilterDepth: 8, maxFilterNodes: 50, maxFilterList: 20_000, maxMetadataDepth: 64 };
    expect(loadConfig({ limits }, { env: {}, cwd }).limits).toMatchObject(limits);
    const input = { limits: { maxFilterDepth: 1000, maxFilterNodes: 100_000, maxMetadataDepth: 1000 } };
    const error = configError(() => loadConfig(input, { env: {}, cwd }));
    expect(error.message).toContain('limits.maxFilterDepth: expected a whole number from 1 to 100');
    expect(error.message).toContain('limits.maxFilterNodes: expected a whole number from 1 to 5000');
    expect(error.message).toContain('limits.maxMetadataDepth: expected a whole number from 1 to 500');
    const typo = configError(() =>
      loadConfig({ limits: { maxFilterDepht: 3 } } as EngramConfigInput, { env: {}, cwd }),
    );
    expect(typo.message).toContain('did you mean "maxFilterDepth"?');
  });

  it('weights that are all zero are rejected', () => {
    const input = { search: { weights: { relevance: 0, recency: 0, importance: 0 } } };
    const error = configError(() => loadConfig(input, { env: {}, cwd }));
    expect(error.message).toContain('search.weights: all weights are 0');
  });

  it('a provider object without a provider says how to name one', () => {
    const error = configError(() => loadConfig({ llm: [{ model: 'x' }, { model: 'y' }] }, { env: {}, cwd }));
    expect(error.message).toContain('llm[1].provider: required');
    expect(error.message).toContain('[from code]');
  });

  it('never echoes an API key back', () => {
    const input = { llm: { provider: 'openai', model: 'm', apiKey: 12345 } } as unknown as EngramConfigInput;
    const error = configError(() => loadConfig(input, { env: {}, cwd }));
    expect(error.message).toContain('llm[0].apiKey: expected a string');
    expect(error.message).not.toContain('12345');
  });
});
