import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  convertMem0Config,
  fromMem0Config,
  isMem0Config,
  loadConfig,
  loadConfigWithWarnings,
  type Mem0Config,
} from '../../src/config/index.js';

const cwd = mkdtempSync(join(tmpdir(), 'engram-mem0-'));

/** The "hybrid" setup mem0 users run: a local Ollama LLM with OpenAI embeddings. */
const hybrid: Mem0Config = {
  version: 'v1.1',
  llm: {
    provider: 'ollama',
    config: { model: 'llama3.1:8b', temperature: 0.1, ollama_base_url: 'http://gpu:11434' },
  },
  embedder: {
    provider: 'openai',
    config: { model: 'text-embedding-3-small', api_key: 'sk-mem0' },
  },
  vector_store: {
    provider: 'qdrant',
    config: { collection_name: 'memories', embedding_model_dims: 1536, host: 'localhost', port: 6333 },
  },
  history_db_path: '/var/lib/mem0/history.db',
  custom_fact_extraction_prompt: 'Only extract food preferences.',
};

describe('isMem0Config', () => {
  it('recognises mem0 objects and not engram ones', () => {
    expect(isMem0Config(hybrid)).toBe(true);
    expect(isMem0Config({ llm: { provider: 'openai', config: { model: 'gpt-4o' } } })).toBe(true);
    expect(isMem0Config({ vectorStore: { provider: 'memory', config: {} } })).toBe(true);
    expect(isMem0Config({ llm: { provider: 'openai', model: 'gpt-4o' } })).toBe(false);
    expect(isMem0Config({ llm: 'ollama:llama3.2:3b', dbPath: 'x.db' })).toBe(false);
    expect(isMem0Config(null)).toBe(false);
  });
});

describe('fromMem0Config', () => {
  it('maps the hybrid ollama LLM + openai embedder setup', () => {
    expect(fromMem0Config(hybrid)).toEqual({
      llm: { provider: 'ollama', model: 'llama3.1:8b', temperature: 0.1, baseUrl: 'http://gpu:11434' },
      embedder: { provider: 'openai', model: 'text-embedding-3-small', apiKey: 'sk-mem0', dimensions: 1536 },
      dbPath: '/var/lib/mem0/history.db',
      index: { provider: 'qdrant', url: 'http://localhost:6333', collection: 'memories' },
      extraction: { mode: 'two-pass', prompts: { extract: 'Only extract food preferences.' } },
    });
  });

  it('customPrompt replaces the extraction prompt, the update prompt the reconciliation one; customInstructions are added', () => {
    const { config, warnings } = convertMem0Config({
      customPrompt: 'Extract only food.',
      custom_update_memory_prompt: 'Decide ADD/UPDATE/DELETE/NONE.',
      customInstructions: 'Be brief.',
    });
    expect(config.extraction).toEqual({
      mode: 'two-pass',
      customInstructions: 'Be brief.',
      prompts: { extract: 'Extract only food.', reconcile: 'Decide ADD/UPDATE/DELETE/NONE.' },
    });
    expect(warnings).toEqual([]);
    const single = convertMem0Config({ customPrompt: 'x', extraction: { mode: 'single-pass' } });
    expect(single.warnings.join()).toMatch(/single-pass: they are not used/);
    expect(convertMem0Config({ customPrompt: 42 as unknown as string }).warnings).toEqual([
      'customPrompt is not a non-empty string; ignored',
    ]);
  });

  it('enableGraph turns engram’s graph on; a graph_store is noted as not used', () => {
    const { config, warnings } = convertMem0Config({
      enableGraph: true,
      graph_store: { provider: 'neo4j', config: { url: 'bolt://x' } },
    });
    expect(config.graph).toEqual({ enabled: true });
    expect(warnings.join('\n')).toMatch(
      /graph_store is not used by engram; ignored \(engram keeps its graph in its own store; enableGraph turns it on\)/,
    );
  });

  it('maps qdrant and chroma vector stores onto a derived index, and says when no server is named', () => {
    const qdrant = convertMem0Config({
      vector_store: {
        provider: 'qdrant',
        config: { url: 'https://q.example:6333', api_key: 'k', collection_name: 'c' },
      },
    });
    expect(qdrant.config.index).toEqual({
      provider: 'qdrant',
      url: 'https://q.example:6333',
      apiKey: 'k',
      collection: 'c',
    });
    const chroma = convertMem0Config({
      vectorStore: { provider: 'chroma', config: { host: 'chroma', port: 8001, collectionName: 'm' } },
    });
    expect(chroma.config.index).toEqual({ provider: 'chroma', url: 'http://chroma:8001', collection: 'm' });
    const embedded = convertMem0Config({
      vector_store: { provider: 'qdrant', config: { path: '/tmp/qdrant' } },
    });
    expect(embedded.config.index).toBeUndefined();
    expect(embedded.warnings.join('\n')).toMatch(
      /qdrant is not used.*config\.path.*set vector_store\.config\.url/,
    );
  });

  it('takes dimensions and a .db path from a camelCase mem0 TS vector store', () => {
    const { config, warnings } = convertMem0Config({
      embedder: { provider: 'ollama', config: { model: 'nomic-embed-text', url: 'http://box:11434' } },
      vectorStore: {
        provider: 'memory',
        config: { collectionName: 'x', dimension: 768, dbPath: './vectors.sqlite' },
      },
      customPrompt: 'Be brief.',
    });
    expect(config.embedder).toEqual({
      provider: 'ollama',
      model: 'nomic-embed-text',
      baseUrl: 'http://box:11434',
      dimensions: 768,
    });
    expect(config.dbPath).toBe('./vectors.sqlite');
    expect(config.extraction?.prompts?.extract).toBe('Be brief.');
    expect(warnings).toEqual([]);
  });

  it('warns, without failing, about a vector store engram replaces', () => {
    const { config, warnings } = convertMem0Config({
      vectorStore: { provider: 'pinecone', config: { dimension: 1536, api_key: 'pc-secret' } },
    });
    expect(config.embedder).toEqual({ dimensions: 1536 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('pinecone');
    expect(warnings[0]).not.toContain('pc-secret');
  });

  it('ignores a history path that is not a SQLite file, with a warning', () => {
    const { config, warnings } = convertMem0Config({
      historyStore: { provider: 'sqlite', config: { historyDbPath: '/tmp/history' } },
    });
    expect(config.dbPath).toBeUndefined();
    expect(warnings[0]).toContain('/tmp/history');
  });

  it('uses the provider default model when mem0 gives none', () => {
    const config = fromMem0Config({ llm: { provider: 'openai', config: { apiKey: 'k' } } });
    expect(config.llm).toEqual({ provider: 'openai', model: 'gpt-4o-mini', apiKey: 'k' });
  });

  it('reports mem0 options engram does not use', () => {
    const { warnings } = convertMem0Config({
      llm: { provider: 'openai', config: { model: 'gpt-4o', max_tokens: 2000 } },
      graph_store: { provider: 'neo4j', config: {} },
    });
    expect(warnings.join('\n')).toContain('max_tokens');
    expect(warnings.join('\n')).toContain('graph_store');
  });
});

describe('loadConfig with a mem0 config', () => {
  it('resolves the hybrid setup and returns the warnings separately', () => {
    const { config, warnings } = loadConfigWithWarnings(hybrid, { env: {}, cwd });
    expect(config.llm).toEqual([
      { provider: 'ollama', model: 'llama3.1:8b', temperature: 0.1, baseUrl: 'http://gpu:11434' },
    ]);
    expect(config.embedder).toEqual({
      provider: 'openai',
      model: 'text-embedding-3-small',
      apiKey: 'sk-mem0',
      dimensions: 1536,
    });
    expect(config.dbPath).toBe('/var/lib/mem0/history.db');
    expect(config.extraction.prompts?.extract).toBe('Only extract food preferences.');
    expect(config.extraction.mode).toBe('two-pass');
    expect(config.index).toEqual({
      provider: 'qdrant',
      url: 'http://localhost:6333',
      collection: 'memories',
    });
    expect(warnings.some((w) => w.includes('qdrant'))).toBe(false);
    expect(Object.keys(loadConfig(hybrid, { env: {}, cwd }))).not.toContain('warnings');
  });

  it('a pinecone vector store is a warning, not an error', () => {
    const { config, warnings } = loadConfigWithWarnings(
      { vectorStore: { provider: 'pinecone', config: { dimension: 1024 } } },
      { env: {}, cwd },
    );
    expect(config.embedder?.dimensions).toBe(1024);
    expect(config.embedder?.provider).toBe('ollama');
    expect(warnings.join('\n')).toContain('pinecone');
  });

  it('mem0 values still go through validation, named in engram terms', () => {
    expect(() =>
      loadConfig({ llm: { provider: 'ollama', config: { model: 'm', temperature: 7 } } }, { env: {}, cwd }),
    ).toThrow(/llm\[0\]\.temperature: expected a number from 0 to 2, got 7 \[from code \(mem0 config\)\]/);
  });

  it('accepts a mem0 config in engram.config.json', () => {
    const dir = mkdtempSync(join(tmpdir(), 'engram-mem0-file-'));
    writeFileSync(join(dir, 'engram.config.json'), JSON.stringify(hybrid));
    expect(loadConfig(undefined, { env: {}, cwd: dir }).llm[0]?.model).toBe('llama3.1:8b');
  });
});

describe('mem0 config with engram shorthand', () => {
  it('puts vector store dimensions on an embedder given as a model id', () => {
    const config = fromMem0Config({
      embedder: 'ollama:mxbai-embed-large',
      vectorStore: { provider: 'memory', config: { dimension: 1024 } },
    } as Mem0Config);
    expect(config.embedder).toEqual({ provider: 'ollama', model: 'mxbai-embed-large', dimensions: 1024 });
  });
});
