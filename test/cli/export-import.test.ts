import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import type { Embedder } from '../../src/spec/embedder.js';
import type { GraphScope } from '../../src/spec/graph.js';
import type { Store } from '../../src/spec/store.js';
import { parseExport } from '../../src/transfer/export-format.js';
import { ALICE, entity, graphOf, graphWrite, relation } from '../conformance/graph-kit.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir } from '../support/cli-runner.js';
import { fakeEmbedding } from '../support/fake-embedding.js';
import { describePostgres, dropSchema, freshSchema, requirePgUrl } from '../support/postgres.js';

const embedder: Embedder = {
  id: 'fake:bag-of-words',
  maxEmbeddingsPerCall: 64,
  dimensions: 64,
  embed: async (texts) => ({ embeddings: texts.map((t) => fakeEmbedding(t)) }),
};

let tmp: ReturnType<typeof makeTempDir>;
let source: string;
let ids: { chicago: string; cat: string };

/**
 * alice: a memory with two versions, one with metadata, a deleted one, messages, and a graph (a
 * merge, a relation closed by a later write); bob: one memory and a graph of his own.
 */
async function buildSource(path: string): Promise<{ chicago: string; cat: string }> {
  let t = Date.parse('2024-06-01T00:00:00.000Z');
  const tick = () => {
    t += 60_000;
    return new Date(t);
  };
  const memory = new Memory({ dbPath: path, llm: null }, { embedder, env: {}, now: tick });
  try {
    const add = async (text: string, userId: string, more = {}) =>
      (await memory.add(text, { userId, infer: false, ...more })).results[0]!.id;
    const chicago = await add('Lives in Boston', 'alice', { eventTime: '2024-01-10T00:00:00Z' });
    await memory.update(chicago, { text: 'Lives in Chicago', eventTime: '2024-03-01T00:00:00Z' });
    const cat = await add('Has a cat called Miso', 'alice', { metadata: { topic: 'pets' } });
    await memory.delete(await add('Drinks coffee', 'alice'));
    await add('Likes green tea', 'bob');
    await memory.keys.createApiKey({
      id: 'k1',
      tenant: 'default',
      hash: 'cd'.repeat(32),
      prefix: 'eng_k1',
      admin: false,
      at: memory.now(),
    });
    await buildGraph(await memory.store(), chicago);
    return { chicago, cat };
  } finally {
    await memory.close();
  }
}

const BOB: GraphScope = { userId: 'bob', agentId: null, runId: null };
const MARCH = '2024-03-01T00:00:00.000Z';

async function buildGraph(store: Store, memoryId: string): Promise<void> {
  const vector = (name: string) => Float32Array.from(fakeEmbedding(name));
  const alice = entity('Alice', { aliases: ['Al'], vector: vector('Alice') });
  // Listed first, so merged into an entity that comes after it in seq order.
  const ally = entity('Ally', {
    vector: vector('Ally'),
    mergedInto: { id: alice.id, reason: 'same person' },
  });
  const boston = entity('Boston', { type: 'place', vector: vector('Boston') });
  const chicago = entity('Chicago', { type: 'place', vector: vector('Chicago') });
  const inBoston = relation(alice, 'lives_in', boston, {
    validFrom: '2024-01-10T00:00:00.000Z',
    memory: memoryId,
    messageRefs: ['job-1:0'],
  });
  const write = (parts: Parameters<typeof graphWrite>[0], tenant = 'default') =>
    store.applyChanges(tenant, [], undefined, graphWrite(parts));
  await write({
    at: '2024-06-10T00:00:00.000Z',
    entities: [ally, alice, boston, chicago],
    relations: [inBoston, relation(ally, 'visited', chicago)],
  });
  await write({
    at: '2024-06-20T00:00:00.000Z',
    relations: [relation(alice, 'lives_in', chicago, { validFrom: MARCH, memory: memoryId })],
    closes: [{ id: inBoston.id, validTo: MARCH }],
  });
  const bob = entity('Bob', { vector: vector('Bob') });
  const tea = entity('Green tea', { type: 'thing', vector: vector('Green tea') });
  await write({ scope: BOB, entities: [bob, tea], relations: [relation(bob, 'likes', tea)] });
}

/** A scope's graph as reads see it; `vectors: false` leaves the name vectors out of the comparison. */
async function graphView(memory: Memory, scope: GraphScope, options: { vectors: boolean }) {
  const graph = graphOf(await memory.store());
  const relations = (query: { asOf?: string; knownAt?: string } = {}) =>
    graph.relations('default', scope, { ...query, limit: 50 });
  return {
    entities: (await graph.entities('default', scope)).map((e) => ({
      ...e,
      vector: options.vectors && e.vector ? Array.from(e.vector) : null,
    })),
    found: await graph.findEntities('default', scope, ['ally', 'al', 'bob']),
    now: await relations(),
    february: await relations({ asOf: '2024-02-15T00:00:00.000Z' }),
    aprilKnownBefore: await relations({
      asOf: '2024-04-01T00:00:00.000Z',
      knownAt: '2024-06-15T00:00:00.000Z',
    }),
  };
}

const env = (db: string) => ({ ENGRAM_DB: db, ENGRAM_LLM: 'none', ENGRAM_EMBEDDER: 'none' });

beforeAll(async () => {
  tmp = makeTempDir('engram-export-');
  source = join(tmp.dir, 'source.db');
  ids = await buildSource(source);
});
afterAll(() => tmp?.remove());

describe('engram export / import', () => {
  it('exports one user: every version and history, no other scope, keys left out', async () => {
    const out = await runInProcess(
      ['export', '--user', 'alice', '--out', 'alice.jsonl'],
      env(source),
      tmp.dir,
    );
    expect(out.code, out.stderr).toBe(0);
    const parsed = parseExport(readFileSync(join(tmp.dir, 'alice.jsonl'), 'utf8'));
    // infer:false adds log their text as messages too.
    expect(parsed.header.counts).toEqual({
      memories: 3,
      messages: 3,
      keys: 0,
      usage: 1,
      entities: 4,
      merges: 1,
      relations: 3,
    });
    expect(parsed.header.withVectors).toBe(false);
    expect(parsed.rows.memories.every((m) => m.userId === 'alice')).toBe(true);
    // alice's graph (her owner partition), none of bob's, and no name vectors without --with-vectors.
    for (const row of [...parsed.rows.entities, ...parsed.rows.merges, ...parsed.rows.relations]) {
      expect(row).toMatchObject({ tenant: 'default', userId: 'alice', agentId: null, runId: null });
    }
    expect(parsed.rows.entities.map((e) => e.name)).toEqual(['Ally', 'Alice', 'Boston', 'Chicago']);
    expect(parsed.rows.entities.every((e) => e.vector === null)).toBe(true);
    expect(parsed.rows.relations.find((r) => r.validTo === MARCH)).toMatchObject({
      closedAt: '2024-06-20T00:00:00.000Z',
      memoryId: ids.chicago,
      messageRefs: ['job-1:0'],
    });
    // A narrower scope than the owner's takes none of the owner's graph (it spans her other agents).
    const narrow = await runInProcess(
      ['export', '--user', 'alice', '--agent', 'bot', '--out', 'narrow.jsonl', '--json'],
      env(source),
      tmp.dir,
    );
    expect(JSON.parse(narrow.stdout)).toMatchObject({ counts: { entities: 0, merges: 0, relations: 0 } });
    const chicago = parsed.rows.memories.find((m) => m.id === ids.chicago)!;
    expect(chicago.versions.map((v) => v.text).sort()).toEqual(['Lives in Boston', 'Lives in Chicago']);
    expect(chicago.versions.every((v) => v.embedding === null)).toBe(true);
    // --json: one document (the header) on stdout; without --out it is refused, not mixed.
    const json = await runInProcess(
      ['export', '--user', 'bob', '--out', 'bob.jsonl', '--json'],
      env(source),
      tmp.dir,
    );
    expect(JSON.parse(json.stdout)).toMatchObject({ format: 'engram-export', counts: { memories: 1 } });
    const mixed = await runInProcess(['export', '--json'], env(source), tmp.dir);
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr).toContain('--out <file>');
  });

  it('imports into another store with the same reads, and a second import adds nothing', async () => {
    const target = join(tmp.dir, 'target.db');
    const first = await runInProcess(['import', 'alice.jsonl', '--json'], env(target), tmp.dir);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout) as {
      kinds: { kind: string; written: number }[];
      vectorsMissing: boolean;
    };
    expect(report.kinds.find((k) => k.kind === 'memories')!.written).toBe(3);
    expect(report.vectorsMissing).toBe(true);
    const again = await runInProcess(['import', 'alice.jsonl', '--json'], env(target), tmp.dir);
    expect((JSON.parse(again.stdout) as typeof report).kinds.every((k) => k.written === 0)).toBe(true);

    const open = (path: string) => new Memory({ dbPath: path, llm: null, embedder: null }, { env: {} });
    const [a, b] = [open(source), open(target)];
    try {
      for (const id of [ids.chicago, ids.cat]) {
        expect(await b.get(id)).toEqual(await a.get(id));
        expect(await b.history(id)).toEqual(await a.history(id));
        expect(await b.versions(id)).toEqual(await a.versions(id));
      }
      expect((await b.get(ids.chicago, { asOf: '2024-02-01T00:00:00Z' }))?.memory).toBe('Lives in Boston');
      expect((await b.getAll({ userId: 'bob' })).results).toEqual([]);
      const view = await graphView(b, ALICE, { vectors: false });
      expect(view).toEqual(await graphView(a, ALICE, { vectors: false }));
      expect(view.entities.map((e) => e.name)).toEqual(['Alice', 'Boston', 'Chicago']);
      expect(view.february.map((r) => r.fact).sort()).toEqual([
        'Alice lives_in Boston',
        'Ally visited Chicago',
      ]);
      expect((await graphView(b, BOB, { vectors: false })).entities).toEqual([]);
      const found = await b.search('Chicago', { userId: 'alice' });
      expect(found.results[0]?.id).toBe(ids.chicago);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('reads a file written before the graph: its kinds count as none', () => {
    const [head, ...rest] = readFileSync(join(tmp.dir, 'alice.jsonl'), 'utf8').trimEnd().split('\n');
    const header = JSON.parse(head!) as { counts: Record<string, number> };
    const { entities: _e, merges: _m, relations: _r, ...counts } = header.counts;
    const graphKinds = ['entities', 'merges', 'relations'];
    const old = [
      JSON.stringify({ ...header, counts }),
      ...rest.filter((line) => !graphKinds.includes((JSON.parse(line) as { kind: string }).kind)),
    ];
    const parsed = parseExport(`${old.join('\n')}\n`);
    expect(parsed.header.counts).toMatchObject({ memories: 3, entities: 0, merges: 0, relations: 0 });
    expect(parsed.rows.entities).toEqual([]);
  });

  it('refuses a truncated or malformed file with its line number, importing nothing', async () => {
    const text = readFileSync(join(tmp.dir, 'alice.jsonl'), 'utf8').trimEnd().split('\n');
    writeFileSync(join(tmp.dir, 'cut.jsonl'), `${text.slice(0, -2).join('\n')}\n`);
    writeFileSync(
      join(tmp.dir, 'bad.jsonl'),
      `${[...text.slice(0, 2), '{"kind": "memories", "row": {', ...text.slice(2)].join('\n')}\n`,
    );
    const empty = join(tmp.dir, 'empty.db');
    const cut = await runInProcess(['import', 'cut.jsonl'], env(empty), tmp.dir);
    expect(cut.code).not.toBe(0);
    expect(cut.stderr).toMatch(/line \d+: the header announces \d+ \w+ but the file holds \d+/);
    const bad = await runInProcess(['import', 'bad.jsonl'], env(empty), tmp.dir);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/line 3: the line is not JSON/);
    const check = new Memory({ dbPath: empty, llm: null, embedder: null }, { env: {} });
    try {
      expect((await check.getAll({ userId: 'alice' })).results).toEqual([]);
    } finally {
      await check.close();
    }
  });
});

describe('engram erase', () => {
  it('asks for --yes, then erases the scope and says what went', async () => {
    const db = join(tmp.dir, 'erase.db');
    expect((await runInProcess(['import', 'alice.jsonl'], env(db), tmp.dir)).code).toBe(0);
    const unconfirmed = await runInProcess(['erase', '--user', 'alice'], env(db), tmp.dir);
    expect(unconfirmed.code).not.toBe(0);
    expect(unconfirmed.stderr).toContain('--yes');
    const erased = await runInProcess(['erase', '--user', 'alice', '--yes', '--json'], env(db), tmp.dir);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ memories: 3, messages: 3 });
    const list = await runInProcess(['list', '--user', 'alice', '--all', '--json'], env(db), tmp.dir);
    expect(JSON.parse(list.stdout).results).toEqual([]);
  });
});

describePostgres('export from SQLite, import into PostgreSQL with vectors', () => {
  const schema = freshSchema('imp');
  afterAll(() => dropSchema(schema));

  it('gives the same search results', async () => {
    const from = new Memory({ dbPath: source, llm: null }, { embedder, env: {} });
    const to = new Memory(
      { store: { provider: 'postgres', url: requirePgUrl(), schema }, llm: null },
      { embedder, env: {} },
    );
    try {
      const lines: string[] = [];
      const header = await from.data.export({ tenant: null, scope: null, withVectors: true }, (line) => {
        lines.push(line);
      });
      expect(header.counts.keys).toBe(1);
      expect(lines.join('\n')).not.toContain('cd'.repeat(32));
      const report = await to.data.import(parseExport(lines.join('\n')), 'import:test');
      expect(report.vectorsMissing).toBe(false);
      expect(report.keysListed).toBe(1);
      // The graph too, name vectors exact (float32 BLOB → JSON → real[]).
      for (const scope of [ALICE, BOB]) {
        expect(await graphView(to, scope, { vectors: true })).toEqual(
          await graphView(from, scope, { vectors: true }),
        );
      }
      expect((await graphView(to, ALICE, { vectors: true })).entities[0]?.vector).toHaveLength(64);
      for (const query of ['Chicago', 'cat Miso', 'green tea']) {
        for (const userId of ['alice', 'bob']) {
          const a = await from.search(query, { userId });
          const b = await to.search(query, { userId });
          expect(b.results.map((r) => r.id)).toEqual(a.results.map((r) => r.id));
        }
      }
    } finally {
      await from.close();
      await to.close();
    }
  });
});
