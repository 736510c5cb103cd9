import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/eval/bench/fake-openai-server.js';
import { Memory } from '../../src/memory/memory.js';
import type { MemoryBundle } from '../../src/spec/store-transfer.js';
import { parseExport } from '../../src/transfer/export-format.js';
import type { Mem0ImportReport } from '../../src/transfer/mem0/mem0-import-report.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';
import { runMem0Oss } from '../support/mem0-oss-run.js';

/*
 * A real mem0 TypeScript installation (mem0ai/oss, `memory` vector store, SQLite history) made in
 * the test with `infer: false` adds, an update and a delete, imported with `engram import
 * --from-mem0 <its directory>`.
 */

const DIMENSIONS = 384;
let fake: FakeOpenAIServer;
let tmp: ReturnType<typeof makeTempDir>;
let mem0Dir: string;
let ids: { chicago: string; coffee: string; tea: string; chess: string; chessAgain: string };
/** Every file of the mem0 directory, as mem0 left it: bytes and mtime. */
let before: Map<string, { bytes: Buffer; mtimeMs: number }>;

const env = (db: string) => ({
  ENGRAM_DB: join(tmp.dir, db),
  ENGRAM_LLM: 'none',
  ENGRAM_EMBEDDER: 'openai:text-embedding-3-small',
  OPENAI_BASE_URL: fake.baseUrl,
  OPENAI_API_KEY: 'test',
});
const engram = (db: string, ...args: string[]) => runInProcess(args, env(db), tmp.dir);
const importMem0 = async (db: string, ...args: string[]) => {
  const result = await engram(db, 'import', '--from-mem0', mem0Dir, ...args, '--json');
  expect(result.code, result.stderr).toBe(0);
  return parseJson<Mem0ImportReport>(result);
};
const openEngram = (db: string) => new Memory({}, { env: env(db), cwd: tmp.dir });

function snapshot(dir: string): Map<string, { bytes: Buffer; mtimeMs: number }> {
  const files = readdirSync(dir).filter((name) => statSync(join(dir, name)).isFile());
  return new Map(
    files.map((name) => [
      name,
      { bytes: readFileSync(join(dir, name)), mtimeMs: statSync(join(dir, name)).mtimeMs },
    ]),
  );
}

/** mem0's own view of its vector store: payload and vector per id. */
function mem0Vectors(): Map<string, { payload: Record<string, unknown>; vector: number[] }> {
  const db = new Database(join(mem0Dir, 'vector_store.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT id, vector, payload FROM vectors').all() as {
      id: string;
      vector: Buffer;
      payload: string;
    }[];
    return new Map(
      rows.map((r) => [
        r.id,
        {
          payload: JSON.parse(r.payload) as Record<string, unknown>,
          vector: Array.from(new Float32Array(r.vector.buffer, r.vector.byteOffset, r.vector.byteLength / 4)),
        },
      ]),
    );
  } finally {
    db.close();
  }
}

async function exportedBundles(memory: Memory): Promise<Map<string, MemoryBundle>> {
  const lines: string[] = [];
  await memory.data.export({ tenant: null, scope: null, withVectors: true }, (line) => {
    lines.push(line);
  });
  return new Map(parseExport(`${lines.join('\n')}\n`).rows.memories.map((b) => [b.id, b]));
}

beforeAll(async () => {
  fake = await startFakeOpenAIServer({ dimensions: DIMENSIONS });
  tmp = makeTempDir('engram-mem0-import-');
  mem0Dir = join(tmp.dir, 'mem0');
  ids = await runMem0Oss(mem0Dir, { baseUrl: fake.baseUrl, dimensions: DIMENSIONS }, async (m) => {
    const add = async (text: string, config: Parameters<typeof m.add>[1]) =>
      (await m.add([{ role: 'user', content: text }], config)).results[0]!.id;
    const chicago = await add('Lives in Boston', {
      userId: 'alice',
      infer: false,
      metadata: { topic: 'home' },
    });
    const coffee = await add('Drinks coffee', { userId: 'alice', agentId: 'bot', runId: 'r1', infer: false });
    await m.update(chicago, 'Lives in Chicago');
    await m.delete(coffee);
    const tea = await add('Likes tea', {
      agentId: 'bot',
      infer: false,
      metadata: { n: 2, nested: { x: [1] } },
    });
    const chess = await add('Plays chess', { userId: 'bob', infer: false });
    // mem0 stores the same text twice; engram keeps one active memory per text and scope.
    const chessAgain = await add('Plays chess', { userId: 'bob', infer: false });
    return { chicago, coffee, tea, chess, chessAgain };
  });
  before = snapshot(mem0Dir);
}, 120_000);

afterAll(async () => {
  await fake?.close();
  tmp?.remove();
});

describe('engram import --from-mem0 <a mem0 TypeScript directory>', () => {
  it('imports memories with their ids, scopes, metadata, timestamps and history', async () => {
    const report = await importMem0('a.db');
    expect(report.sources.map((s) => s.source).sort()).toEqual(
      [join(mem0Dir, 'history.db'), join(mem0Dir, 'vector_store.db')].sort(),
    );
    expect(report.memories).toMatchObject({
      imported: 3,
      alreadyThere: 0,
      active: 3,
      deleted: 0,
      versions: 4,
    });
    expect(report.skipped.map((s) => [s.code, s.id]).sort()).toEqual(
      [
        ['duplicate_text', ids.chessAgain],
        ['no_scope', ids.coffee],
      ].sort(),
    );
    // No --mem0-embedder: mem0 does not say which model made its vectors, so they are embedded again.
    expect(report.vectors.kept).toBe(0);
    expect(report.vectors.reason).toContain('--mem0-embedder');
    expect(report.vectors.reembedded).toBe(4);

    const source = mem0Vectors();
    const chicagoPayload = source.get(ids.chicago)!.payload;
    const memory = openEngram('a.db');
    try {
      const chicago = await memory.get(ids.chicago);
      expect(chicago).toMatchObject({
        memory: 'Lives in Chicago',
        user_id: 'alice',
        agent_id: null,
        run_id: null,
        metadata: { topic: 'home' },
        created_at: chicagoPayload.createdAt,
        updated_at: chicagoPayload.updatedAt,
        version: 2,
        state: 'active',
      });
      const history = await memory.history(ids.chicago);
      expect(history.map((h) => [h.event, h.old_memory, h.new_memory, h.created_at]).reverse()).toEqual([
        ['ADD', null, 'Lives in Boston', chicagoPayload.createdAt],
        ['UPDATE', 'Lives in Boston', 'Lives in Chicago', chicagoPayload.updatedAt],
      ]);
      expect(history[0]).toMatchObject({ actor: 'mem0', reason: 'imported from mem0' });
      const versions = (await memory.versions(ids.chicago)).results;
      expect(versions.map((v) => [v.version, v.memory, v.valid_from, v.valid_to])).toEqual(
        expect.arrayContaining([
          [1, 'Lives in Boston', chicagoPayload.createdAt, chicagoPayload.updatedAt],
          [2, 'Lives in Chicago', chicagoPayload.updatedAt, null],
        ]),
      );
      // What the memory said before the update, read as of then.
      expect((await memory.get(ids.chicago, { asOf: chicagoPayload.createdAt as string })).memory).toBe(
        'Lives in Boston',
      );

      const tea = await memory.get(ids.tea);
      expect(tea).toMatchObject({
        memory: 'Likes tea',
        user_id: null,
        agent_id: 'bot',
        metadata: { n: 2, nested: { x: [1] } },
        created_at: source.get(ids.tea)!.payload.createdAt,
      });
      expect(Object.keys(tea.metadata).sort()).toEqual(['n', 'nested']);
      expect((await memory.getAll({ userId: 'bob' })).results.map((r) => r.id)).toEqual([ids.chess]);
      const found = await memory.search('Where does she live? Chicago', { userId: 'alice' });
      expect(found.results[0]?.id).toBe(ids.chicago);
    } finally {
      await memory.close();
    }
  });

  it('imports the deleted memory, with its history, into the scope --unscoped-into names', async () => {
    const report = await importMem0('b.db', '--unscoped-into', 'user=alice');
    expect(report.memories).toMatchObject({ imported: 4, active: 3, deleted: 1 });
    expect(report.skipped.map((s) => s.code)).toEqual(['duplicate_text']);
    expect(report.notes.join('\n')).toContain('1 history events had no time in mem0');
    const chicagoUpdated = mem0Vectors().get(ids.chicago)!.payload.updatedAt;
    const memory = openEngram('b.db');
    try {
      const history = await memory.history(ids.coffee);
      expect(history.map((h) => [h.event, h.old_memory, h.new_memory]).reverse()).toEqual([
        ['ADD', null, 'Drinks coffee'],
        ['DELETE', 'Drinks coffee', null],
      ]);
      // mem0 writes no time on a DELETE row: dated at the latest time before it in the log (the update).
      expect(history[0]!.created_at).toBe(chicagoUpdated);
      expect((await memory.getAll({ userId: 'alice' })).results.map((r) => r.id)).toEqual([ids.chicago]);
    } finally {
      await memory.close();
    }
  });

  it('keeps the vectors when --mem0-embedder names the configured embedder (embedding only older versions)', async () => {
    fake.resetStats();
    const report = await importMem0('c.db', '--mem0-embedder', 'openai:text-embedding-3-small');
    expect(report.vectors.kept).toBe(3);
    expect(report.vectors.reason).toContain('made by openai:text-embedding-3-small (384 dimensions)');
    // mem0 keeps one vector per memory: the older text of the updated memory is embedded here.
    expect(report.vectors.reembedded).toBe(1);
    expect(fake.stats.embeddedTexts).toBe(2); // that text and reindex's dimension probe
    const source = mem0Vectors();
    const memory = openEngram('c.db');
    try {
      const bundles = await exportedBundles(memory);
      for (const id of [ids.chicago, ids.tea, ids.chess]) {
        const current = bundles.get(id)!.versions.find((v) => v.version === bundles.get(id)!.version)!;
        expect(current.embedding).toEqual(source.get(id)!.vector);
        expect(current.embeddingModel).toBe('openai:text-embedding-3-small');
      }
    } finally {
      await memory.close();
    }
  });

  it('re-embeds when --mem0-embedder names another model than the configured one', async () => {
    const report = await importMem0('d.db', '--mem0-embedder', 'ollama:nomic-embed-text');
    expect(report.vectors.kept).toBe(0);
    expect(report.vectors.reason).toBe(
      'they were made by ollama:nomic-embed-text, not by the configured embedder openai:text-embedding-3-small',
    );
    expect(report.vectors.reembedded).toBe(4);
  });

  it('adds nothing when the same source is imported again', async () => {
    const exported = async () => {
      const result = await engram('a.db', 'export', '--all', '--with-vectors');
      expect(result.code, result.stderr).toBe(0);
      return result.stdout.split('\n').slice(1); // without the header (its exportedAt)
    };
    const first = await exported();
    fake.resetStats();
    const again = await importMem0('a.db');
    expect(again.memories).toMatchObject({ imported: 0, alreadyThere: 3 });
    expect(again.vectors.reembedded).toBeNull();
    expect(fake.stats.embedCalls).toBe(0);
    expect(await exported()).toEqual(first);
  });

  it('shows a summary and progress when run without --json', async () => {
    const result = await engram('e.db', 'import', '--from-mem0', mem0Dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'memories: 3 imported (3 active, 0 deleted; 4 versions, 4 history events)',
    );
    expect(result.stdout).toContain(`skipped 1 (no_scope): deleted in mem0`);
    expect(result.stdout).toContain(`skipped 1 (duplicate_text): memory ${ids.chess} has the same text`);
    expect(result.stderr).toContain('importing [##############################] 3/3');
    expect(result.stderr).toContain('embedding');
  });

  it('left every file of the mem0 directory as it was: bytes and mtime', () => {
    const after = snapshot(mem0Dir);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [name, was] of before) {
      expect(after.get(name)!.mtimeMs, name).toBe(was.mtimeMs);
      expect(after.get(name)!.bytes.equals(was.bytes), name).toBe(true);
    }
  });
});
