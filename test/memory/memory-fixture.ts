import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Memory } from '../../src/memory/memory.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { dropSchema, freshSchema, PG_URL } from '../support/postgres.js';

export interface MemoryFixture {
  memory: Memory;
  ollama: FakeOllama;
  dbPath: string;
  /** A second engine on the same database file (a "new process"). */
  reopen(overrides?: Record<string, unknown>): Memory;
  close(): Promise<void>;
}

/** A Memory on a temp SQLite file, with embedder and LLM served by a fake Ollama over real HTTP. */
export async function memoryFixture(overrides: Record<string, unknown> = {}): Promise<MemoryFixture> {
  const ollama = await startFakeOllama({ dimensions: 64 });
  const dir = mkdtempSync(join(tmpdir(), 'engram-mem-'));
  const dbPath = join(dir, 'engram.db');
  const make = (extra: Record<string, unknown> = {}) =>
    new Memory(
      {
        dbPath,
        embedder: { provider: 'ollama', model: 'nomic-embed-text', baseUrl: ollama.url, maxRetries: 0 },
        llm: {
          provider: 'ollama',
          model: 'llama3.2:3b',
          baseUrl: ollama.url,
          maxRetries: 0,
          timeoutMs: 2000,
        },
        ...overrides,
        // Scripted replies below are written call by call for the two-pass pipeline unless a test says otherwise.
        extraction: {
          mode: 'two-pass',
          ...(overrides.extraction as object | undefined),
          ...(extra.extraction as object | undefined),
        },
        ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'extraction')),
      },
      { env: {} },
    );
  const memory = make();
  const opened: Memory[] = [memory];
  return {
    memory,
    ollama,
    dbPath,
    reopen(extra) {
      const m = make(extra);
      opened.push(m);
      return m;
    },
    async close() {
      for (const m of opened) await m.close();
      await ollama.close();
      rmSync(dir, { recursive: true, force: true });
      const store = overrides.store as { provider?: string; schema?: string } | undefined;
      if (store?.provider === 'postgres' && store.schema) await dropSchema(store.schema);
    },
  };
}

export const facts = (
  ...items: { text: string; importance?: number; category?: string; event_date?: string | null }[]
) =>
  JSON.stringify({
    facts: items.map((f) => ({ importance: 0.7, category: 'other', event_date: null, ...f })),
  });

export const operations = (
  ...ops: { event: string; fact: number; id?: number | null; text?: string | null }[]
) => JSON.stringify({ operations: ops });

/**
 * The stores an engine-level suite runs on: SQLite always, PostgreSQL when a test server is
 * configured (test/support/postgres.ts says why not, and fails in CI without one). Each entry
 * gives the config overrides for a fresh store.
 */
export function storeVariants(): [name: string, overrides: () => Record<string, unknown>][] {
  const variants: [string, () => Record<string, unknown>][] = [['sqlite', () => ({})]];
  if (PG_URL !== null) {
    variants.push([
      'postgres',
      () => ({ store: { provider: 'postgres', url: PG_URL, schema: freshSchema('mem'), pool: 4 } }),
    ]);
  }
  return variants;
}
