import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { importMem0, type Mem0ImportOptions } from '../../src/transfer/mem0/import-mem0.js';
import { readQdrant } from '../../src/transfer/mem0/read-qdrant.js';
import { runInProcess } from '../support/cli-in-process.js';
import { closedPortUrl, makeTempDir } from '../support/cli-runner.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';

/*
 * Sources engram cannot use are refused whole, naming the file (or server) and the problem,
 * before anything is written; records engram would not store are skipped and named.
 */

let tmp: ReturnType<typeof makeTempDir>;
let qdrant: FakeQdrant;
let memory: Memory | undefined;
let n = 0;

/** A fresh engram store (no embedder, no LLM). */
function target(): Memory {
  memory = new Memory({ dbPath: join(tmp.dir, `target-${++n}.db`), llm: null, embedder: null }, { env: {} });
  return memory;
}

async function errorOf(promise: Promise<unknown>): Promise<MemoryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MemoryError) return error;
    throw error;
  }
  throw new Error('expected a MemoryError');
}

async function memoriesIn(m: Memory): Promise<number> {
  let count = -1;
  await m.data.export({ tenant: null, scope: null, withVectors: false }, (line) => {
    if (count < 0) count = (JSON.parse(line) as { counts: { memories: number } }).counts.memories;
  });
  return count;
}

const run = (m: Memory, sources: string[], more: Partial<Mem0ImportOptions> = {}) =>
  importMem0(m, { sources, cwd: tmp.dir, targetEmbedder: null, ...more });

/** A mem0ai/oss `memory` vector store file, written by hand from its DDL. */
function vectorStore(path: string, rows: { id: string; payload: string; vector?: Buffer }[]): void {
  const db = new Database(path);
  db.exec('CREATE TABLE vectors (id TEXT PRIMARY KEY, vector BLOB NOT NULL, payload TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO vectors VALUES (?, ?, ?)');
  for (const r of rows)
    insert.run(r.id, r.vector ?? Buffer.from(Float32Array.from([1, 0]).buffer), r.payload);
  db.close();
}

/** A mem0ai/oss history file, from its DDL. */
function tsHistory(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE memory_history (id INTEGER PRIMARY KEY AUTOINCREMENT, memory_id TEXT NOT NULL,
    previous_value TEXT, new_value TEXT, action TEXT NOT NULL, created_at TEXT, updated_at TEXT, is_deleted INTEGER DEFAULT 0)`);
  db.prepare('INSERT INTO memory_history (memory_id, new_value, action, created_at) VALUES (?, ?, ?, ?)').run(
    'm-1',
    'Likes tea',
    'ADD',
    '2024-01-01T00:00:00.000Z',
  );
  db.close();
}

beforeAll(async () => {
  tmp = makeTempDir('engram-mem0-errors-');
  qdrant = await startFakeQdrant();
});

afterEach(async () => {
  await memory?.close();
  memory = undefined;
});

afterAll(async () => {
  await qdrant?.close();
  tmp?.remove();
});

describe('a source engram cannot use is refused whole, naming it, and nothing is written', () => {
  it('a path that does not exist', async () => {
    const error = await errorOf(run(target(), ['missing/history.db']));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(
      `there is no file or directory at ${join(tmp.dir, 'missing/history.db')}`,
    );
  });

  it('a file that is not SQLite', async () => {
    const path = join(tmp.dir, 'notes.db');
    writeFileSync(path, 'these are my notes, not a database\n'.repeat(100));
    const m = target();
    const error = await errorOf(run(m, [path]));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toMatch(new RegExp(`^${path} .*(not a database|SQLite)`));
    expect(error.message).toContain('Nothing was imported');
    expect(await memoriesIn(m)).toBe(0);
  });

  it("a SQLite file that holds neither mem0's history nor its vector store", async () => {
    const path = join(tmp.dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE notes (x TEXT)');
    db.close();
    const error = await errorOf(run(target(), [path]));
    expect(error.message).toContain(
      "holds neither mem0's history (a memory_history or history table) nor its vector store (a vectors table); its tables: notes",
    );
  });

  it('a history table without the columns mem0 writes', async () => {
    const path = join(tmp.dir, 'half.db');
    const db = new Database(path);
    db.exec('CREATE TABLE memory_history (id INTEGER PRIMARY KEY, memory_id TEXT)');
    db.close();
    const error = await errorOf(run(target(), [path]));
    expect(error.message).toContain(
      'has a memory_history table without the column(s) previous_value, new_value, action',
    );
  });

  it('a vector whose payload is not JSON: the sound history next to it is not imported either', async () => {
    const dir = join(tmp.dir, 'broken-mem0');
    mkdirSync(dir);
    tsHistory(join(dir, 'history.db'));
    vectorStore(join(dir, 'vector_store.db'), [
      { id: 'm-1', payload: JSON.stringify({ data: 'Likes tea', user_id: 'u' }) },
      { id: 'm-2', payload: '{"data": "cut off' },
    ]);
    const before = {
      bytes: readFileSync(join(dir, 'vector_store.db')),
      mtime: statSync(join(dir, 'vector_store.db')).mtimeMs,
    };
    const m = target();
    const error = await errorOf(run(m, [dir]));
    expect(error.code).toBe('invalid_input');
    expect(error.message).toContain(
      `${join(dir, 'vector_store.db')} (--from-mem0 ${join(dir, 'vector_store.db')}) holds vector m-2, whose payload is not JSON`,
    );
    expect(await memoriesIn(m)).toBe(0);
    expect(readFileSync(join(dir, 'vector_store.db')).equals(before.bytes)).toBe(true);
    expect(statSync(join(dir, 'vector_store.db')).mtimeMs).toBe(before.mtime);
  });

  it('a directory without SQLite files; one with an unrelated file passes over it', async () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect((await errorOf(run(target(), [empty]))).message).toContain(
      `the directory ${empty} holds no SQLite file`,
    );

    const mixed = join(tmp.dir, 'mixed');
    mkdirSync(mixed);
    tsHistory(join(mixed, 'history.db'));
    const app = new Database(join(mixed, 'app.db'));
    app.exec('CREATE TABLE t (x)');
    app.close();
    const report = await run(target(), [mixed], { unscopedInto: 'user=u' });
    expect(report.passedOver).toEqual([join(mixed, 'app.db')]);
    expect(report.memories.imported).toBe(1);
  });

  it('a Qdrant collection that does not exist, and a Qdrant that does not answer', async () => {
    const m = target();
    const missing = await errorOf(run(m, [`qdrant:${qdrant.url}/nope`]));
    expect(missing.code).toBe('invalid_input');
    expect(missing.message).toContain(`Qdrant at ${qdrant.url} has no collection nope`);
    const down = await errorOf(run(m, [`qdrant:${await closedPortUrl()}/mem0`]));
    expect(down.code).toBe('index_unreachable');
    expect(await memoriesIn(m)).toBe(0);
  });

  it('source forms and flags it does not know', async () => {
    const m = target();
    expect((await errorOf(run(m, ['qdrant:http://localhost:6333']))).message).toContain(
      'name the qdrant collection',
    );
    expect((await errorOf(run(m, ['chroma:ftp://x/c']))).message).toContain('http:// or https://');
    expect((await errorOf(run(m, [tmp.dir], { unscopedInto: 'person=alice' }))).message).toContain(
      'write user=<id>, agent=<id> and/or run=<id>',
    );
  });

  it('the CLI says which file, exits 2 and leaves the target empty', async () => {
    const path = join(tmp.dir, 'garbage.db');
    writeFileSync(path, 'x'.repeat(4096));
    const env = { ENGRAM_DB: join(tmp.dir, 'cli.db'), ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' };
    const result = await runInProcess(['import', '--from-mem0', path], env, tmp.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`engram: ${path} (--from-mem0 ${path})`);
    const both = await runInProcess(['import', 'file.jsonl', '--from-mem0', path], env, tmp.dir);
    expect(both.stderr).toContain('Give an export file or --from-mem0, not both.');
    const exported = await runInProcess(['export', '--all'], env, tmp.dir);
    expect(JSON.parse(exported.stdout.split('\n')[0]!).counts.memories).toBe(0);
  });
});

describe('records engram would not store are skipped and named', () => {
  it('a text the target already holds in that scope under another id', async () => {
    const m = target();
    const mine = (await m.add('Likes tea', { userId: 'u', infer: false })).results[0]!.id;
    const path = join(tmp.dir, 'taken.db');
    vectorStore(path, [
      {
        id: 'm-1',
        payload: JSON.stringify({ data: 'Likes tea', user_id: 'u', createdAt: '2024-01-01T00:00:00Z' }),
      },
      {
        id: 'm-2',
        payload: JSON.stringify({ data: 'Likes tea', user_id: 'v', createdAt: '2024-01-01T00:00:00Z' }),
      },
    ]);
    const report = await run(m, [path]);
    expect(report.skipped).toEqual([
      {
        code: 'text_taken',
        id: 'm-1',
        source: 'target',
        reason: `engram already holds memory ${mine} with the same text in the same scope`,
      },
    ]);
    expect(report.memories.imported).toBe(1);
  });
});

describe('reading Qdrant', () => {
  it('scrolls page by page until the last', async () => {
    await fetch(`${qdrant.url}/collections/paged`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: { size: 2, distance: 'Dot' } }),
    });
    const points = Array.from({ length: 5 }, (_, i) => ({
      id: i + 1,
      vector: [i, 1],
      payload: { data: `fact ${i}`, user_id: 'u' },
    }));
    await fetch(`${qdrant.url}/collections/paged/points?wait=true`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ points }),
    });
    const seen: [number, number][] = [];
    const data = await readQdrant(
      { given: 'q', url: qdrant.url, collection: 'paged' },
      { pageSize: 2, onProgress: (done, total) => seen.push([done, total]) },
    );
    expect(data.points?.map((p) => [p.id, p.payload.data, p.vector])).toEqual(
      points.map((p) => [String(p.id), p.payload.data, p.vector]),
    );
    expect(seen).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
  });
});
