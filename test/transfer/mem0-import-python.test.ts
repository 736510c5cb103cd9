import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { parseExport } from '../../src/transfer/export-format.js';
import type { Mem0ImportReport } from '../../src/transfer/mem0/mem0-import-report.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';

/*
 * A mem0 Python installation: its history file built from the DDL of mem0/memory/storage.py
 * (history and messages tables, TEXT ids, isoformat times with offsets and microseconds) and its
 * memories in a Qdrant collection holding mem0 Python's payloads (snake_case), imported together.
 */

const PYTHON_DDL = `
  CREATE TABLE IF NOT EXISTS history (
    id           TEXT PRIMARY KEY,
    memory_id    TEXT,
    old_memory   TEXT,
    new_memory   TEXT,
    event        TEXT,
    created_at   DATETIME,
    updated_at   DATETIME,
    is_deleted   INTEGER,
    actor_id     TEXT,
    role         TEXT
  );
  CREATE TABLE IF NOT EXISTS messages (
    id TEXT PRIMARY KEY,
    session_scope TEXT,
    role TEXT,
    content TEXT,
    name TEXT,
    created_at DATETIME
  );
`;

const id = {
  acme: randomUUID(),
  dog: randomUUID(),
  french: randomUUID(),
  jazz: randomUUID(),
  orphan: randomUUID(),
  entity: randomUUID(),
  bulky: randomUUID(),
  long: randomUUID(),
};
const CREATED = '2024-07-17T12:00:00.123456-07:00';
const UPDATED = '2024-07-18T09:30:00.5-07:00';

let tmp: ReturnType<typeof makeTempDir>;
let qdrant: FakeQdrant;
let historyDb: string;
const vectors = new Map<string, number[]>();

function buildHistory(path: string): void {
  const db = new Database(path);
  db.exec(PYTHON_DDL);
  const row = db.prepare('INSERT INTO history VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  row.run(randomUUID(), id.acme, null, 'Works at Initech', 'ADD', CREATED, null, 0, 'alice', 'user');
  row.run(
    randomUUID(),
    id.acme,
    'Works at Initech',
    'Works at Acme',
    'UPDATE',
    CREATED,
    UPDATED,
    0,
    'alice',
    'user',
  );
  row.run(randomUUID(), id.dog, null, 'Has a dog', 'ADD', '2024-07-19T08:00:00+00:00', null, 0, null, null);
  row.run(randomUUID(), id.dog, 'Has a dog', null, 'DELETE', null, null, 1, null, null);
  row.run(
    randomUUID(),
    id.french,
    null,
    'Always answer in French',
    'ADD',
    '2024-07-20T10:00:00+00:00',
    null,
    0,
    null,
    null,
  );
  const message = db.prepare('INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?)');
  message.run('m1', 'user_id=alice', 'user', 'I moved to Acme', null, '2024-07-18T16:30:00+00:00');
  message.run(
    'm2',
    'agent_id=helper&user_id=a%26b',
    'assistant',
    'Noted.',
    'helper',
    '2024-07-18T16:30:01+00:00',
  );
  message.run('m3', 'not a scope', 'user', 'lost', null, '2024-07-18T16:30:02+00:00');
  db.close();
}

async function fillQdrant(): Promise<void> {
  const call = async (method: string, path: string, body: unknown) => {
    const response = await fetch(`${qdrant.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.ok, await response.text()).toBe(true);
  };
  await call('PUT', '/collections/mem0', { vectors: { size: 8, distance: 'Cosine' } });
  const point = (pointId: string, payload: Record<string, unknown>) => {
    const vector = Array.from({ length: 8 }, (_, i) => ((pointId.charCodeAt(i) % 7) + 1) * (i + 1));
    vectors.set(pointId, vector);
    return { id: pointId, vector, payload };
  };
  const hash = 'not-checked';
  await call('PUT', '/collections/mem0/points?wait=true', {
    points: [
      point(id.acme, {
        data: 'Works at Acme',
        hash,
        text_lemmatized: 'work acme',
        created_at: CREATED,
        updated_at: UPDATED,
        user_id: 'alice',
        actor_id: 'alice',
        role: 'user',
        topic: 'job',
      }),
      point(id.french, {
        data: 'Always answer in French',
        hash,
        created_at: '2024-07-20T10:00:00+00:00',
        updated_at: '2024-07-20T10:00:00+00:00',
        agent_id: 'helper',
        memory_type: 'procedural_memory',
      }),
      // No history for this one; a naive time (no offset) is read as UTC.
      point(id.jazz, { data: 'Likes jazz', hash, created_at: '2024-07-21T10:00:00', user_id: 'bob' }),
      point(id.orphan, { data: 'Knows no owner', hash, created_at: '2024-07-22T10:00:00Z' }),
      point(id.entity, { data: 'Acme', entityType: 'ORG', linkedMemoryIds: [id.acme], user_id: 'alice' }),
      point(id.bulky, { data: 'Carries a lot', hash, user_id: 'bob', blob: 'x'.repeat(20_000) }),
      point(id.long, { data: 'y'.repeat(20_001), hash, user_id: 'bob' }),
    ],
  });
}

const env = (db: string) => ({ ENGRAM_DB: join(tmp.dir, db), ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' });
const importMem0 = async (db: string) => {
  const result = await runInProcess(
    [
      'import',
      '--from-mem0',
      `qdrant:${qdrant.url}/mem0`,
      historyDb,
      '--unscoped-into',
      'user=alice',
      '--mem0-embedder',
      'openai:text-embedding-3-small',
      '--json',
    ],
    env(db),
    tmp.dir,
  );
  expect(result.code, result.stderr).toBe(0);
  return parseJson<Mem0ImportReport>(result);
};

beforeAll(async () => {
  tmp = makeTempDir('engram-mem0-python-');
  historyDb = join(tmp.dir, 'history.db');
  buildHistory(historyDb);
  qdrant = await startFakeQdrant();
  await fillQdrant();
});

afterAll(async () => {
  await qdrant?.close();
  tmp?.remove();
});

describe('engram import --from-mem0 qdrant:… <a mem0 Python history.db>', () => {
  it('imports the Qdrant memories with the history file, reading both without changing them', async () => {
    const file = { bytes: readFileSync(historyDb), mtimeMs: statSync(historyDb).mtimeMs };
    const report = await importMem0('a.db');
    expect(report.memories).toMatchObject({ imported: 5, active: 4, deleted: 1 });
    expect(report.skipped.map((s) => [s.code, s.id]).sort()).toEqual(
      [
        ['entity_record', id.entity],
        ['invalid_metadata', id.bulky],
        ['invalid_text', id.long],
        ['invalid_message', 'm3'],
      ].sort(),
    );
    expect(report.messages).toEqual({ found: 2, imported: 2, alreadyThere: 0 });
    expect(report.vectors.kept).toBe(4);
    expect(report.vectors.reembedded).toBeNull();
    expect(report.notes.join('\n')).toContain('no embedder is configured');
    // Qdrant scrolled, nothing written to it.
    expect(qdrant.requests.map((r) => `${r.method} ${r.path.replace(/^\/collections\/mem0/, '')}`)).toContain(
      'POST /points/scroll',
    );
    expect(readFileSync(historyDb).equals(file.bytes)).toBe(true);
    expect(statSync(historyDb).mtimeMs).toBe(file.mtimeMs);

    const memory = new Memory({}, { env: env('a.db'), cwd: tmp.dir });
    try {
      expect(await memory.get(id.acme)).toMatchObject({
        memory: 'Works at Acme',
        user_id: 'alice',
        actor_id: 'alice',
        role: 'user',
        metadata: { topic: 'job' },
        created_at: '2024-07-17T19:00:00.123Z',
        updated_at: '2024-07-18T16:30:00.500Z',
        version: 2,
      });
      expect(
        (await memory.history(id.acme)).map((h) => [h.event, h.new_memory, h.created_at]).reverse(),
      ).toEqual([
        ['ADD', 'Works at Initech', '2024-07-17T19:00:00.123Z'],
        ['UPDATE', 'Works at Acme', '2024-07-18T16:30:00.500Z'],
      ]);
      expect(await memory.get(id.french)).toMatchObject({
        agent_id: 'helper',
        memory_type: 'procedural',
        metadata: {},
      });
      expect(await memory.get(id.jazz)).toMatchObject({
        user_id: 'bob',
        created_at: '2024-07-21T10:00:00.000Z',
      });
      expect((await memory.history(id.jazz))[0]!.reason).toBe(
        'imported from mem0 (no history: one version, dated at its creation)',
      );
      expect(await memory.get(id.orphan)).toMatchObject({ user_id: 'alice' });
      // Deleted in mem0: no scope in its history, so it went where --unscoped-into says, dated by its neighbours.
      expect((await memory.history(id.dog)).map((h) => [h.event, h.created_at]).reverse()).toEqual([
        ['ADD', '2024-07-19T08:00:00.000Z'],
        ['DELETE', '2024-07-19T08:00:00.000Z'],
      ]);

      const lines: string[] = [];
      await memory.data.export({ tenant: null, scope: null, withVectors: true }, (line) => {
        lines.push(line);
      });
      const exported = parseExport(`${lines.join('\n')}\n`).rows;
      const acme = exported.memories.find((b) => b.id === id.acme)!;
      // Qdrant keeps a Cosine collection's vectors normalized; engram keeps what it was given.
      const raw = vectors.get(id.acme)!;
      const length = Math.hypot(...raw);
      expect(acme.versions[1]!.embedding).toEqual(Array.from(Float32Array.from(raw.map((x) => x / length))));
      expect(acme.versions[0]!.embedding).toBeNull();
      expect(
        exported.messages.map((m) => [m.userId, m.agentId, m.role, m.name, m.content, m.createdAt, m.ref]),
      ).toEqual([
        ['alice', null, 'user', null, 'I moved to Acme', '2024-07-18T16:30:00.000Z', 'mem0:m1'],
        ['a&b', 'helper', 'assistant', 'helper', 'Noted.', '2024-07-18T16:30:01.000Z', 'mem0:m2'],
      ]);
    } finally {
      await memory.close();
    }

    const again = await importMem0('a.db');
    expect(again.memories).toMatchObject({ imported: 0, alreadyThere: 5 });
    expect(again.messages).toEqual({ found: 2, imported: 0, alreadyThere: 2 });
  });
});
