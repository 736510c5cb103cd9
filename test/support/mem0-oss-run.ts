import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { mem0OssConfig } from '../../src/eval/bench/mem0-oss.js';

/** The slice of mem0ai/oss's Memory a test drives to produce a real mem0 directory. */
export interface Mem0Oss {
  add(
    messages: string | { role: string; content: string }[],
    config: {
      userId?: string;
      agentId?: string;
      runId?: string;
      infer: false;
      metadata?: Record<string, unknown>;
    },
  ): Promise<{ results: { id: string }[] }>;
  update(id: string, data: string): Promise<unknown>;
  delete(id: string): Promise<unknown>;
}

interface Mem0Internals {
  db?: { close?(): void; db?: { close?(): void } };
  vectorStore?: { db?: { close?(): void } };
  _entityStore?: { db?: { close?(): void } };
}

/**
 * Runs mem0ai/oss (the devDependency) against a fake OpenAI-compatible server, with telemetry off
 * and its state directory inside `dir`, its history in `dir`/history.db and its vector store
 * (provider `memory`) in `dir`/vector_store.db, as a mem0 TypeScript user's ~/.mem0 would be.
 * `script` drives it; every SQLite handle mem0 opened is closed before this returns, so the
 * files are left as mem0 left them.
 */
export async function runMem0Oss<T>(
  dir: string,
  options: { baseUrl: string; dimensions: number },
  script: (memory: Mem0Oss) => Promise<T>,
): Promise<T> {
  process.env.MEM0_TELEMETRY = 'false';
  const state = join(dir, '.state');
  mkdirSync(state, { recursive: true });
  // mem0 writes an anonymous user id under MEM0_DIR (default ~/.mem0) even with telemetry off.
  process.env.MEM0_DIR = state;
  const mod = (await import('mem0ai/oss')) as unknown as {
    Memory: new (config: Record<string, unknown>) => Mem0Oss & Mem0Internals;
  };
  const memory = new mod.Memory(mem0OssConfig(options.baseUrl, dir, options.dimensions));
  try {
    return await script(memory);
  } finally {
    for (const handle of [memory.db?.db, memory.db, memory.vectorStore?.db, memory._entityStore?.db]) {
      try {
        handle?.close?.();
      } catch {
        // Closed already (mem0's history manager closes its handle in its own close()).
      }
    }
  }
}
