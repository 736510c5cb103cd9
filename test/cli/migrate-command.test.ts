import { existsSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import type { Embedder } from '../../src/spec/embedder.js';
import type { GraphScope } from '../../src/spec/graph.js';
import type { Store } from '../../src/spec/store.js';
import {
  type EntityRowOut,
  GRAPH_TRANSFER_KINDS,
  type StoreTransfer,
  TRANSFER_KINDS,
  type TransferCounts,
} from '../../src/spec/store-transfer.js';
import { createStore } from '../../src/stores/registry.js';
import { ALICE, entity, graphOf, graphWrite, relation } from '../conformance/graph-kit.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';
import { fakeEmbedding } from '../support/fake-embedding.js';
import { describePostgres, dropSchema, freshSchema, pgAdmin, requirePgUrl } from '../support/postgres.js';

const embedder: Embedder = {
  id: 'fake:bag-of-words',
  maxEmbeddingsPerCall: 64,
  dimensions: 64,
  embed: async (texts) => ({ embeddings: texts.map((t) => fakeEmbedding(t)) }),
};

/** Every write one minute after the last, so both time axes have distinct instants. */
function steppingClock(): () => Date {
  let t = Date.parse('2024-06-01T00:00:00.000Z');
  return () => {
    t += 60_000;
    return new Date(t);
  };
}

/** Queries run at one fixed instant, so recency scores match between stores. */
const QUERY_NOW = () => new Date('2025-01-01T00:00:00.000Z');

type StoreInput = { dbPath: string } | { store: { provider: 'postgres'; url: string; schema: string } };

function openMemory(where: StoreInput, now: () => Date): Memory {
  return new Memory({ ...where, tenant: 'default', llm: null }, { embedder, env: {}, now });
}

interface Ids {
  boston: string;
  cat: string;
  coffee: string;
  acme: string;
}

/** Two tenants; versions, a metadata edit, a delete, an invalidation, messages, keys, a job, usage. */
async function buildSource(path: string): Promise<Ids> {
  const memory = openMemory({ dbPath: path }, steppingClock());
  try {
    const add = async (text: string, options: Parameters<Memory['add']>[1]) =>
      (await memory.add(text, { infer: false, ...options })).results[0]?.id ?? '';
    const alice = { userId: 'alice' };
    const boston = await add('Lives in Boston', { ...alice, eventTime: '2024-01-10T00:00:00Z' });
    await memory.update(boston, { text: 'Lives in Chicago', eventTime: '2024-03-01T00:00:00Z' });
    const cat = await add('Has a cat called Miso', { ...alice, metadata: { topic: 'pets' } });
    await memory.update(cat, { metadata: { colour: 'grey' } });
    const coffee = await add('Drinks coffee every morning', alice);
    await memory.delete(coffee);
    const acme = await add('Works at Acme', { ...alice, eventTime: '2024-02-01T00:00:00Z' });
    const store = await memory.store();
    await store.invalidateMemory('default', acme, {
      validTo: '2024-05-01T00:00:00.000Z',
      supersededBy: null,
      at: memory.now(),
      actor: 'test',
      reason: 'changed jobs',
    });
    await add('Answers in French', { agentId: 'helper' });
    await memory.forTenant('t2').add('Likes green tea', { userId: 'bob', infer: false });
    await store.appendMessages(
      { tenant: 'default', userId: 'alice' },
      [
        { role: 'user', content: 'remember my bike', eventTime: '2024-05-02T00:00:00.000Z', ref: 'job-1:0' },
        { role: 'assistant', content: 'noted', eventTime: '2024-05-02T00:00:01.000Z' },
      ],
      memory.now(),
    );
    await store.createApiKey({
      id: 'key-1',
      tenant: 'default',
      hash: 'ab'.repeat(32),
      prefix: 'egm_ab',
      name: 'ci',
      userId: 'alice',
      admin: false,
      at: memory.now(),
    });
    await store.createApiKey({
      id: 'key-2',
      tenant: 't2',
      hash: 'cd'.repeat(32),
      prefix: 'egm_cd',
      admin: true,
      at: memory.now(),
    });
    await store.revokeApiKey('t2', 'key-2', memory.now());
    await store.enqueueJob(
      'default',
      {
        id: 'job-1',
        kind: 'add',
        payload: { messages: [{ role: 'user', content: 'remember my bike' }] },
        maxAttempts: 3,
        runAt: memory.now(),
        idempotencyKey: 'idem-1',
      },
      memory.now(),
    );
    const ids = { boston, cat, coffee, acme };
    await buildGraph(store, ids);
    return ids;
  } finally {
    await memory.close();
  }
}

const HELPER: GraphScope = { userId: null, agentId: 'helper', runId: null };
const BOB: GraphScope = { userId: 'bob', agentId: null, runId: null };
const MARCH = '2024-03-01T00:00:00.000Z';
/** System time of the graph writes: after the memories, before QUERY_NOW. */
const WRITTEN = ['2024-06-10T00:00:00.000Z', '2024-06-15T00:00:00.000Z', '2024-06-20T00:00:00.000Z'] as const;

/**
 * alice's graph: Ally merged into Alice in the write that created both, Ally first (so the merge
 * points forward in seq order: a copy meets Ally before her target); Alicia merged and unmerged
 * (an undone entry in the merge log); Boston closed by a later write that moved her to Chicago.
 * Also the helper agent's graph (an agent partition) and bob's in tenant t2.
 */
async function buildGraph(store: Store, ids: Ids): Promise<void> {
  const vector = (name: string) => Float32Array.from(fakeEmbedding(name));
  const alice = entity('Alice', { aliases: ['Al'], summary: 'the user', vector: vector('Alice') });
  const ally = entity('Ally', {
    vector: vector('Ally'),
    mergedInto: { id: alice.id, reason: 'same person' },
  });
  const alicia = entity('Alicia', { vector: null, mergedInto: { id: alice.id, reason: 'a guess' } });
  const boston = entity('Boston', { type: 'place', vector: vector('Boston') });
  const chicago = entity('Chicago', { type: 'place', vector: vector('Chicago') });
  const acme = entity('Acme', { type: 'organisation', vector: vector('Acme') });
  const inBoston = relation(alice, 'lives_in', boston, {
    validFrom: '2024-01-10T00:00:00.000Z',
    memory: ids.boston,
    messageRefs: ['job-1:0'],
  });
  await store.applyChanges(
    'default',
    [],
    undefined,
    graphWrite({
      at: WRITTEN[0],
      entities: [ally, alicia, alice, boston, acme],
      relations: [
        inBoston,
        relation(alice, 'works_at', acme, { validFrom: '2024-02-01T00:00:00.000Z', memory: ids.acme }),
        relation(ally, 'visited', boston),
      ],
    }),
  );
  await graphOf(store).unmergeEntity('default', ALICE, alicia.id, WRITTEN[1]);
  await store.applyChanges(
    'default',
    [],
    undefined,
    graphWrite({
      at: WRITTEN[2],
      entities: [chicago],
      relations: [relation(alice, 'lives_in', chicago, { validFrom: MARCH, memory: ids.boston })],
      closes: [{ id: inBoston.id, validTo: MARCH }],
    }),
  );
  const helper = entity('Helper', { type: 'thing', vector: null });
  const french = entity('French', { type: 'concept', vector: vector('French') });
  await store.applyChanges(
    'default',
    [],
    undefined,
    graphWrite({
      scope: HELPER,
      at: WRITTEN[0],
      entities: [helper, french],
      relations: [relation(helper, 'speaks', french)],
    }),
  );
  const bob = entity('Bob', { vector: vector('Bob') });
  const tea = entity('Green tea', { type: 'thing', vector: vector('Green tea') });
  await store.applyChanges(
    't2',
    [],
    undefined,
    graphWrite({
      scope: BOB,
      at: WRITTEN[0],
      entities: [bob, tea],
      relations: [relation(bob, 'likes', tea)],
    }),
  );
}

/** The graph as reads see it: entities (vectors as plain numbers), key lookups, relations on both axes. */
async function observeGraph(store: Store) {
  const graph = graphOf(store);
  const entities = async (tenant: string, scope: GraphScope) =>
    (await graph.entities(tenant, scope)).map((e) => ({ ...e, vector: e.vector && Array.from(e.vector) }));
  const relations = (tenant: string, scope: GraphScope, query: { asOf?: string; knownAt?: string } = {}) =>
    graph.relations(tenant, scope, { ...query, limit: 50 });
  return {
    entities: await entities('default', ALICE),
    // Ally's key resolves to Alice; Al is her alias.
    found: await graph.findEntities('default', ALICE, ['ally', 'al', 'alicia']),
    now: await relations('default', ALICE),
    // In February she lived in Boston: the closed relation answers.
    february: await relations('default', ALICE, { asOf: '2024-02-15T00:00:00.000Z' }),
    april: await relations('default', ALICE, { asOf: '2024-04-01T00:00:00.000Z' }),
    // As known before the move was written, Boston still held in April.
    aprilKnownBefore: await relations('default', ALICE, {
      asOf: '2024-04-01T00:00:00.000Z',
      knownAt: '2024-06-16T00:00:00.000Z',
    }),
    helper: [await entities('default', HELPER), await relations('default', HELPER)],
    bob: [await entities('t2', BOB), await relations('t2', BOB)],
  };
}

/** What a user can read back, minus the row numbers a copy renumbers (history and message ids). */
async function observe(where: StoreInput, ids: Ids, options: { scores?: boolean } = {}) {
  const memory = openMemory(where, QUERY_NOW);
  try {
    const store = await memory.store();
    const scored = (r: { results: { id: string; memory: string; score?: number }[] }) =>
      r.results.map(({ id, memory: text, score }) =>
        options.scores === false ? { id, text } : { id, text, score },
      );
    return {
      all: await memory.getAll({ userId: 'alice' }),
      superseded: await memory.getAll({ userId: 'alice', states: ['superseded'] }),
      agent: await memory.getAll({ agentId: 'helper' }),
      bob: await memory.forTenant('t2').getAll({ userId: 'bob' }),
      search: scored(await memory.search('where does alice live Chicago', { userId: 'alice' })),
      keyword: scored(await memory.search('cat Miso', { userId: 'alice', mode: 'keyword' })),
      vector: scored(await memory.search('coffee cat', { userId: 'alice', mode: 'vector' })),
      searchAsOf: scored(await memory.search('Boston', { userId: 'alice', asOf: '2024-02-01T00:00:00Z' })),
      getAsOf: await memory.get(ids.boston, { asOf: '2024-02-01T00:00:00Z' }),
      // What engram believed one second after it first heard of Boston: the move was not known yet.
      getKnownAt: await memory.get(ids.boston, {
        asOf: '2024-04-01T00:00:00Z',
        knownAt: await firstHeard(memory, ids.boston),
      }),
      current: await memory.get(ids.boston),
      acme: await memory.get(ids.acme),
      versions: await memory.versions(ids.boston),
      history: await Promise.all(
        Object.values(ids).map(async (id) => (await memory.history(id)).map(({ id: _, ...h }) => h)),
      ),
      messages: (await store.recentMessages({ tenant: 'default', userId: 'alice' }, 50)).map(
        ({ id: _, ...m }) => m,
      ),
      keys: await store.listApiKeys(null),
      // Keys travel as hashes: the secret behind this hash still authenticates in the copy.
      keyByHash: await store.findApiKey('ab'.repeat(32)),
      jobs: await store.listJobs('default', { limit: 10 }),
      usage: [await memory.usage({ userId: 'alice' }), await memory.forTenant('t2').usage({ userId: 'bob' })],
      stats: await memory.stats().then(({ health: _, schemaVersion: __, ...s }) => s),
      graph: await observeGraph(store),
    };
  } finally {
    await memory.close();
  }
}

async function firstHeard(memory: Memory, id: string): Promise<string> {
  const versions = (await memory.versions(id)).results;
  return new Date(Date.parse(versions[versions.length - 1]?.recorded_at ?? '') + 1000).toISOString();
}

async function counts(settings: Parameters<typeof createStore>[0]): Promise<TransferCounts> {
  const store = await createStore(settings);
  try {
    await store.init();
    return await (store.transfer as StoreTransfer).counts();
  } finally {
    await store.close();
  }
}

/**
 * Copies the source's graph alone, one row per page (as runs interrupted after every page would),
 * into a fresh store that must then read the same. Ally comes before Alice, so Ally's merge waits
 * for Alice's page.
 */
async function copyGraphOneByOne(settings: Parameters<typeof createStore>[0]): Promise<void> {
  const from = await createStore({ provider: 'sqlite', path: source, readOnly: true });
  const into = await createStore(settings);
  try {
    await Promise.all([from.init(), into.init()]);
    const out = from.transfer as StoreTransfer;
    const inTo = into.transfer as StoreTransfer;
    const names: string[] = [];
    for (const kind of GRAPH_TRANSFER_KINDS) {
      const key = `one-by-one:${kind}`;
      let position = 0;
      for (;;) {
        const page = await out.exportRows(kind, position, 1);
        if (page.next === null) break;
        if (kind === 'entities') names.push(...page.rows.map((r) => (r as EntityRowOut).name));
        expect(await inTo.importRows(kind, page.rows, { key, position: page.next })).toBe(1);
        position = page.next;
      }
    }
    expect(names.indexOf('Ally')).toBeLessThan(names.indexOf('Alice'));
    // Under another progress mark, rows already there are found: by id, merges by entities and instant.
    for (const kind of GRAPH_TRANSFER_KINDS) {
      const page = await out.exportRows(kind, 0, 100);
      expect(await inTo.importRows(kind, page.rows, { key: `again:${kind}`, position: page.next ?? 0 })).toBe(
        0,
      );
    }
    expect(await observeGraph(into)).toEqual(await observeGraph(from));
    expect(await graphRows(inTo)).toEqual(await graphRows(out));
  } finally {
    await Promise.all([from.close(), into.close()]);
  }
}

/** Every graph row in the neutral shape (keys, vectors, both time axes, the merge log with undone entries). */
async function graphRows(transfer: StoreTransfer) {
  return Promise.all(
    GRAPH_TRANSFER_KINDS.map(async (kind) => (await transfer.exportRows(kind, 0, 1000)).rows),
  );
}

async function graphRowsOf(settings: Parameters<typeof createStore>[0]) {
  const store = await createStore(settings);
  try {
    await store.init();
    return await graphRows(store.transfer as StoreTransfer);
  } finally {
    await store.close();
  }
}

interface Report {
  kinds: { kind: string; source: number; copied: number; present: number; target: number }[];
}

let temp: ReturnType<typeof makeTempDir>;
let source: string;
let ids: Ids;
const migrate = (...args: string[]) => runInProcess(['migrate', ...args], {}, temp.dir);

beforeAll(async () => {
  temp = makeTempDir('engram-migrate-');
  source = join(temp.dir, 'source.db');
  ids = await buildSource(source);
});

afterAll(() => temp?.remove());

describe('engram migrate, SQLite to SQLite', () => {
  it('copies every kind, reads back the same, and a second run duplicates nothing', async () => {
    const target = join(temp.dir, 'copy.db');
    const first = await migrate('--from', source, '--to', `sqlite:${target}`, '--json');
    expect(first.code, first.stderr).toBe(0);
    const report = parseJson<Report>(first);
    const sourceCounts = await counts({ provider: 'sqlite', path: source });
    expect(sourceCounts).toMatchObject({
      memories: 6,
      keys: 2,
      jobs: 1,
      entities: 10,
      merges: 2,
      relations: 6,
    });
    for (const kind of report.kinds) {
      expect(kind).toMatchObject({ source: sourceCounts[kind.kind as keyof TransferCounts], present: 0 });
      expect(kind.copied).toBe(kind.source);
      expect(kind.target).toBe(kind.source);
    }
    expect(first.stderr).toMatch(/memories/);

    const seen = await observe({ dbPath: source }, ids);
    // The graph observed is the one built: merges resolved, the move closed Boston in world time only.
    const facts = (relations: { fact: string }[]) => relations.map((r) => r.fact).sort();
    expect(seen.graph.entities.map((e) => e.name)).toEqual(['Acme', 'Alice', 'Alicia', 'Boston', 'Chicago']);
    expect(seen.graph.found.map((e) => e.name)).toEqual(['Alice', 'Alicia']);
    expect(facts(seen.graph.february)).toEqual([
      'Alice lives_in Boston',
      'Alice works_at Acme',
      'Ally visited Boston',
    ]);
    expect(seen.graph.february.find((r) => r.fact === 'Ally visited Boston')?.source.name).toBe('Alice');
    expect(facts(seen.graph.april)).not.toContain('Alice lives_in Boston');
    expect(facts(seen.graph.aprilKnownBefore)).toContain('Alice lives_in Boston');
    expect(seen.graph.entities[1]?.vector).toHaveLength(64);
    expect(await observe({ dbPath: target }, ids)).toEqual(seen);

    const again = await migrate('--from', source, '--to', target, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(parseJson<Report>(again).kinds.map((k) => k.copied)).toEqual(TRANSFER_KINDS.map(() => 0));
    expect(await counts({ provider: 'sqlite', path: target })).toEqual(sourceCounts);
  });

  it('resumes after an interrupted first page without writing a row twice', async () => {
    const target = join(temp.dir, 'resumed.db');
    const from = await createStore({ provider: 'sqlite', path: source, readOnly: true });
    const into = await createStore({ provider: 'sqlite', path: target });
    try {
      await Promise.all([from.init(), into.init()]);
      const out = from.transfer as StoreTransfer;
      const inTo = into.transfer as StoreTransfer;
      // What a run stopped after its first page leaves behind: the page and its progress mark.
      for (const kind of ['memories', 'messages'] as const) {
        const page = await out.exportRows(kind, 0, 2);
        expect(page.rows).toHaveLength(2);
        const key = `migrate:sqlite:${realpathSync(source)}:${kind}`;
        expect(await inTo.importRows(kind, page.rows, { key, position: page.next ?? 0 })).toBe(2);
        expect(await inTo.progress(key)).toBe(page.next);
      }
    } finally {
      await Promise.all([from.close(), into.close()]);
    }
    const run = await migrate('--from', source, '--to', target, '--json');
    expect(run.code, run.stderr).toBe(0);
    const sourceCounts = await counts({ provider: 'sqlite', path: source });
    const byKind = Object.fromEntries(parseJson<Report>(run).kinds.map((k) => [k.kind, k]));
    expect(byKind.memories).toMatchObject({ copied: sourceCounts.memories - 2, present: 0 });
    expect(byKind.messages).toMatchObject({ copied: sourceCounts.messages - 2, present: 0 });
    expect(run.stderr).toMatch(/resumed/);
    expect(await counts({ provider: 'sqlite', path: target })).toEqual(sourceCounts);
    expect(await observe({ dbPath: target }, ids)).toEqual(await observe({ dbPath: source }, ids));
  });

  it('links an entity merged into one that arrives in a later page', async () => {
    await copyGraphOneByOne({ provider: 'sqlite', path: join(temp.dir, 'links.db') });
  });

  it('skips memories already in the target by id', async () => {
    const target = join(temp.dir, 'skips.db');
    const from = await createStore({ provider: 'sqlite', path: source, readOnly: true });
    const into = await createStore({ provider: 'sqlite', path: target });
    try {
      await Promise.all([from.init(), into.init()]);
      const page = await (from.transfer as StoreTransfer).exportRows('memories', 0, 3);
      // Imported under another progress key: the CLI's run finds the rows, not a mark.
      await (into.transfer as StoreTransfer).importRows('memories', page.rows, {
        key: 'elsewhere',
        position: 1,
      });
    } finally {
      await Promise.all([from.close(), into.close()]);
    }
    const run = await migrate('--from', source, '--to', target, '--json');
    expect(run.code, run.stderr).toBe(0);
    expect(parseJson<Report>(run).kinds[0]).toMatchObject({
      kind: 'memories',
      copied: 3,
      present: 3,
      target: 6,
    });
  });

  it('fails with exit 1 when the target ends up with fewer rows than the source', async () => {
    const target = join(temp.dir, 'short.db');
    const into = await createStore({ provider: 'sqlite', path: target });
    try {
      await into.init();
      // A mark claiming every message was copied, though none was (rows removed after a run).
      await (into.transfer as StoreTransfer).importRows('messages', [], {
        key: `migrate:sqlite:${realpathSync(source)}:messages`,
        position: 1_000_000,
      });
    } finally {
      await into.close();
    }
    const run = await migrate('--from', source, '--to', target);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^messages\s+\d+\s+0\s+0\s+0$/m);
    expect(run.stderr).toMatch(/fewer rows than the source.*messages 0 of \d+.*new, empty target/);
  });

  it('refuses a target holding vectors of another embedding model, before writing anything', async () => {
    const target = join(temp.dir, 'other-model.db');
    const other = new Memory(
      { dbPath: target, tenant: 'default', llm: null },
      { embedder: { ...embedder, id: 'fake:other' }, env: {} },
    );
    await other.add('Lives in Oslo', { userId: 'carol', infer: false });
    await other.close();
    const before = await counts({ provider: 'sqlite', path: target });
    const run = await migrate('--from', source, '--to', target);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/another embedding model \(fake:other.*\(fake:bag-of-words.*engram reindex/);
    expect(await counts({ provider: 'sqlite', path: target })).toEqual(before);
  });

  it('refuses the same store twice, unknown store forms, a missing or empty source', async () => {
    const same = await migrate('--from', source, '--to', `sqlite:${source}`);
    expect(same.code).toBe(2);
    expect(same.stderr).toMatch(/--from and --to name the same store/);

    const odd = await migrate('--from', source, '--to', 'copy.txt');
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/--to: expected sqlite:<path>, a file ending in \.db, or postgres:\/\//);

    const missing = await migrate('--from', 'nothing-here.db', '--to', 'new.db');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--from: there is no database at .*nothing-here\.db/);
    expect(existsSync(join(temp.dir, 'nothing-here.db'))).toBe(false);

    const empty = await createStore({ provider: 'sqlite', path: join(temp.dir, 'empty.db') });
    await empty.init();
    await empty.close();
    const nothing = await migrate('--from', 'empty.db', '--to', 'new.db');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toMatch(/holds no memories, messages, keys, jobs or usage.*Check --from\.$/m);
    expect(existsSync(join(temp.dir, 'new.db'))).toBe(false);

    const schema = await migrate('--from', source, '--to', 'x.db', '--to-schema', 'engram');
    expect(schema.code).toBe(2);
    expect(schema.stderr).toMatch(/--to-schema applies to a PostgreSQL store/);
  });
});

describePostgres('engram migrate, SQLite to PostgreSQL and back', () => {
  const schema = freshSchema('migrate');
  afterAll(() => dropSchema(schema));

  it('gives the same answers in PostgreSQL and after the copy back', async () => {
    const url = requirePgUrl();
    const pg: StoreInput = { store: { provider: 'postgres', url, schema } };
    const there = await migrate('--from', source, '--to', url, '--to-schema', schema, '--json');
    expect(there.code, there.stderr).toBe(0);
    const sourceCounts = await counts({ provider: 'sqlite', path: source });
    expect(await counts({ provider: 'postgres', url, schema })).toEqual(sourceCounts);
    // Into an empty target the HNSW index is built once at the end, not row by row: it is there.
    expect(there.stderr).toContain('building the vector index');
    expect(
      await pgAdmin<{ name: string | null }>(
        `SELECT to_regclass('"${schema}".memory_vectors_hnsw')::text AS name`,
      ),
    ).toEqual([{ name: `${schema}.memory_vectors_hnsw` }]);

    const back = join(temp.dir, 'back.db');
    const home = await migrate('--from', url, '--from-schema', schema, '--to', back, '--json');
    expect(home.code, home.stderr).toBe(0);
    expect(await counts({ provider: 'sqlite', path: back })).toEqual(sourceCounts);
    // Row for row, both ways: vectors exact (float32 BLOB → real[] → BLOB), keys, merges, closes.
    const rows = await graphRowsOf({ provider: 'sqlite', path: source });
    expect(await graphRowsOf({ provider: 'postgres', url, schema })).toEqual(rows);
    expect(await graphRowsOf({ provider: 'sqlite', path: back })).toEqual(rows);

    // Searches count accesses, which weigh in later scores: each store is observed once, before
    // anything reads the copies it feeds (PostgreSQL is read only after the copy back).
    expect(await observe({ dbPath: back }, ids)).toEqual(await observe({ dbPath: source }, ids));

    // Text scores are the backend's own (bm25 vs ts_rank_cd): PostgreSQL's hits are compared without them.
    const inPg = await observe(pg, ids, { scores: false });
    const inBack = await observe({ dbPath: back }, ids, { scores: false });
    const hitSets = (o: typeof inPg) => ({
      ...o,
      search: new Set(o.search.map((h) => h.id)),
      keyword: new Set(o.keyword.map((h) => h.id)),
    });
    expect(hitSets(inPg)).toEqual(hitSets(inBack));

    const again = await migrate('--from', source, '--to', url, '--to-schema', schema, '--json');
    expect(parseJson<Report>(again).kinds.map((k) => k.copied)).toEqual(TRANSFER_KINDS.map(() => 0));
    expect(await counts({ provider: 'postgres', url, schema })).toEqual(sourceCounts);
  });

  it('links an entity merged into one that arrives in a later page', async () => {
    const target = freshSchema('migrate_links');
    try {
      await copyGraphOneByOne({ provider: 'postgres', url: requirePgUrl(), schema: target });
    } finally {
      await dropSchema(target);
    }
  });
});
