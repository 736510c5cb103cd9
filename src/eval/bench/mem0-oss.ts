import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The slice of mem0ai/oss's Memory the benchmark drives. mem0ai is a devDependency loaded at run
 * time, so a missing or broken install becomes a reported reason instead of a crash.
 */
export interface Mem0Memory {
  add(
    messages: { role: string; content: string }[],
    config: { userId: string; infer?: boolean },
  ): Promise<{ results: { id: string; memory: string; metadata?: { event?: string } }[] }>;
  search(
    query: string,
    config: { filters: { user_id: string }; topK?: number },
  ): Promise<{ results: unknown[] }>;
  getAll(config: { filters: { user_id: string }; topK?: number }): Promise<{ results: unknown[] }>;
  /** Internals used to time the embedding calls and to query the vector store alone. */
  embedder: {
    embed(text: string, kind?: string): Promise<number[]>;
    embedBatch(texts: string[], kind?: string): Promise<number[][]>;
  };
  vectorStore?: {
    search(query: number[], topK: number, filters: Record<string, unknown>): Promise<unknown[]>;
  };
  db?: { close?(): void };
}

export interface Mem0Session {
  memory: Mem0Memory;
  /** Milliseconds spent in mem0's embedder (HTTP to the fake server) since creation. */
  embedMs(): number;
  close(): void;
}

export interface Mem0Module {
  version: string;
  open(options: { baseUrl: string; dir: string; dimensions: number }): Promise<Mem0Session>;
}

/**
 * A mem0ai/oss config: OpenAI-compatible LLM and embedder at `baseUrl`, its built-in SQLite vector
 * store and history under `dir` (the tests give engram/mem0 the same object).
 */
export function mem0OssConfig(baseUrl: string, dir: string, dimensions: number) {
  return {
    version: 'v1.1',
    embedder: {
      provider: 'openai',
      config: { apiKey: 'test', baseURL: baseUrl, model: 'text-embedding-3-small' },
    },
    vectorStore: {
      provider: 'memory',
      config: { collectionName: 'memories', dimension: dimensions, dbPath: join(dir, 'vector_store.db') },
    },
    llm: { provider: 'openai', config: { apiKey: 'test', baseURL: baseUrl, model: 'gpt-4o-mini' } },
    historyStore: { provider: 'sqlite', config: { historyDbPath: join(dir, 'history.db') } },
  };
}

/**
 * Loads mem0ai/oss with telemetry off and its state (~/.mem0) redirected into `stateDir`.
 * Throws with the loader's reason when it cannot be loaded.
 */
export async function loadMem0(stateDir: string): Promise<Mem0Module> {
  process.env.MEM0_TELEMETRY = 'false';
  mkdirSync(stateDir, { recursive: true });
  // mem0 writes an anonymous user id under MEM0_DIR (default ~/.mem0) even with telemetry off.
  process.env.MEM0_DIR = stateDir;
  const mod = (await import('mem0ai/oss')) as unknown as {
    Memory: new (config: Record<string, unknown>) => Mem0Memory;
  };
  const require = createRequire(import.meta.url);
  const pkgPath = join(require.resolve('mem0ai/oss'), '..', '..', '..', 'package.json');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version?: string }).version ?? 'unknown';
  return {
    version,
    async open({ baseUrl, dir, dimensions }) {
      const memory = new mod.Memory(mem0OssConfig(baseUrl, dir, dimensions));
      const timing = { ms: 0 };
      const { embedder } = memory;
      const embed = embedder.embed.bind(embedder);
      const embedBatch = embedder.embedBatch.bind(embedder);
      embedder.embed = async (text, kind) => {
        const t0 = performance.now();
        try {
          return await embed(text, kind);
        } finally {
          timing.ms += performance.now() - t0;
        }
      };
      embedder.embedBatch = async (texts, kind) => {
        const t0 = performance.now();
        try {
          return await embedBatch(texts, kind);
        } finally {
          timing.ms += performance.now() - t0;
        }
      };
      // Fails here (not in the middle of a timed loop) when the store or server is unusable.
      await memory.getAll({ filters: { user_id: 'probe' }, topK: 1 });
      return {
        memory,
        embedMs: () => timing.ms,
        close: () => memory.db?.close?.(),
      };
    },
  };
}
