import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FilterNode } from '../../src/spec/filter.js';
import type { NewMemory } from '../../src/spec/store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

const DIMS = 32;

/** Deterministic pseudo-random vectors (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vectors(n: number, seed: number): Float32Array[] {
  const next = rng(seed);
  return Array.from({ length: n }, () => Float32Array.from({ length: DIMS }, () => next() * 2 - 1));
}

function row(userId: string, embedding: Float32Array, i: number): NewMemory {
  return {
    id: randomUUID(),
    userId,
    agentId: null,
    runId: null,
    text: `${userId} memory ${i}`,
    hash: `${userId}-${i}-${randomUUID()}`,
    metadata: {},
    importance: 0.5,
    memoryType: 'semantic',
    validFrom: '2024-01-01T00:00:00.000Z',
    embedding,
    embeddingModel: 'test:random',
    at: '2024-01-01T00:00:00.000Z',
  };
}

const scope = (userId: string): FilterNode => ({ kind: 'scope', field: 'user_id', value: userId });

describe('ANN index for large partitions', () => {
  let dir: string;
  let path: string;
  const open: SqliteStore[] = [];
  const store = async (ann: ConstructorParameters<typeof SqliteStore>[0]['ann']) => {
    const s = new SqliteStore({ path, ann });
    await s.init();
    open.push(s);
    return s;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engram-ann-'));
    path = join(dir, 'ann.db');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('returns the same top results as the exact scan', async () => {
    const writer = await store(false);
    await writer.insertMemories(
      't1',
      vectors(3000, 1).map((v, i) => row('alice', v, i)),
    );
    const ann = await store({ minVectors: 100 });
    const queries = vectors(20, 99);
    let overlap = 0;
    let sameFirst = 0;
    for (const q of queries) {
      const exact = await writer.vectorSearch('t1', q, {
        filter: scope('alice'),
        asOf: undefined,
        limit: 10,
      });
      const approx = await ann.vectorSearch('t1', q, { filter: scope('alice'), asOf: undefined, limit: 10 });
      expect(approx).toHaveLength(10);
      const exactIds = new Set(exact.map((h) => h.id));
      overlap += approx.filter((h) => exactIds.has(h.id)).length / 10;
      if (approx[0]?.id === exact[0]?.id) sameFirst++;
      expect(approx[0]?.score).toBeCloseTo(exact[0]?.score ?? -1, 4);
    }
    expect(overlap / queries.length).toBeGreaterThanOrEqual(0.95);
    expect(sameFirst).toBeGreaterThanOrEqual(19);
  });

  it('sees inserts and deletes made through another store on the same file', async () => {
    const other = await store({ minVectors: 100 });
    await other.insertMemories(
      't1',
      vectors(500, 2).map((v, i) => row('alice', v, i)),
    );
    // Opened after the first vectors: a store reads the vector table's width when it opens.
    const ann = await store({ minVectors: 100, recountMs: 0 });
    const [target] = vectors(1, 7);
    const q = target!;
    const before = await ann.vectorSearch('t1', q, { filter: scope('alice'), asOf: undefined, limit: 5 });
    expect(before).toHaveLength(5);

    const [added] = await other.insertMemories('t1', [row('alice', q, 9999)]);
    const afterInsert = await ann.vectorSearch('t1', q, {
      filter: scope('alice'),
      asOf: undefined,
      limit: 5,
    });
    expect(afterInsert[0]?.id).toBe(added?.record.id);
    expect(afterInsert[0]?.score).toBeCloseTo(1, 5);

    await other.deleteMemory('t1', added!.record.id, { at: '2024-02-01T00:00:00.000Z' });
    const afterDelete = await ann.vectorSearch('t1', q, {
      filter: scope('alice'),
      asOf: undefined,
      limit: 5,
    });
    expect(afterDelete.map((h) => h.id)).not.toContain(added?.record.id);
    expect(afterDelete.map((h) => h.id)).toEqual(before.map((h) => h.id));

    // A memory far from the query takes a vector next to it: the index must see the new version.
    const far = (
      await other.vectorSearch('t1', q.map((x) => -x) as Float32Array, {
        filter: scope('alice'),
        asOf: undefined,
        limit: 1,
      })
    )[0]!;
    const near = Float32Array.from(q, (x, i) => x + (i === 0 ? 0.01 : 0));
    await other.updateMemory('t1', far.id, {
      embedding: near,
      embeddingModel: 'test:random',
      at: '2024-03-01T00:00:00.000Z',
    });
    const afterUpdate = await ann.vectorSearch('t1', q, {
      filter: scope('alice'),
      asOf: undefined,
      limit: 5,
    });
    // Compared with an exact scan (no ANN), not with a second approximate index.
    const exact = await (await store(false)).vectorSearch('t1', q, {
      filter: scope('alice'),
      asOf: undefined,
      limit: 5,
    });
    expect(exact[0]?.id).toBe(far.id);
    expect(afterUpdate[0]?.id).toBe(far.id);
    expect(afterUpdate[0]?.score).toBeCloseTo(exact[0]?.score ?? -1, 5);
    const exactIds = new Set(exact.map((h) => h.id));
    expect(afterUpdate.filter((h) => exactIds.has(h.id)).length).toBeGreaterThanOrEqual(4);
  });

  it('never returns rows of another tenant or scope', async () => {
    const writer = await store(false);
    const shared = vectors(400, 3);
    await writer.insertMemories(
      't1',
      shared.map((v, i) => row('alice', v, i)),
    );
    await writer.insertMemories(
      't1',
      shared.map((v, i) => row('bob', v, i)),
    );
    await writer.insertMemories(
      't2',
      shared.map((v, i) => row('alice', v, i)),
    );
    const ann = await store({ minVectors: 100 });
    const aliceT1 = new Set(
      (await ann.listMemories('t1', { filter: scope('alice'), states: ['active'], limit: 1000 })).items.map(
        (m) => m.id,
      ),
    );
    for (const q of vectors(10, 4)) {
      const hits = await ann.vectorSearch('t1', q, { filter: scope('alice'), asOf: undefined, limit: 20 });
      expect(hits).toHaveLength(20);
      for (const h of hits) expect(aliceT1.has(h.id)).toBe(true);
    }
  });
});
