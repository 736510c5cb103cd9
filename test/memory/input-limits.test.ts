import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import type { Filter } from '../../src/spec/filter.js';
import type { Metadata } from '../../src/spec/memory-record.js';
import { statementCacheStats } from '../../src/stores/sqlite/statement-cache.js';
import { textHash } from '../../src/util/text-hash.js';

let dir: string;
let memory: Memory;

function open(limits: Record<string, number> = {}): Memory {
  dir = mkdtempSync(join(tmpdir(), 'engram-limits-'));
  memory = new Memory(
    { dbPath: join(dir, 'engram.db'), embedder: null, llm: null, limits },
    { env: {}, cwd: dir },
  );
  return memory;
}

afterEach(async () => {
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
});

/** `levels` operators, each wrapping the next, around one condition; built without recursion. */
function nested(op: 'AND' | 'OR' | 'NOT', levels: number): Filter {
  let filter: Filter = { topic: 'a' };
  for (let i = 0; i < levels; i++) filter = op === 'NOT' ? { NOT: filter } : { [op]: [filter] };
  return filter;
}

function deepMetadata(levels: number): Metadata {
  let value: Metadata = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { next: value };
  return value;
}

const list = (n: number, tag = '') => Array.from({ length: n }, (_, i) => `${tag}${i}`);

async function nothingWritten(m: Memory): Promise<void> {
  expect((await m.getAll({ userId: 'u' })).total).toBe(0);
  const store = await m.store();
  expect(await store.recentMessages({ tenant: m.tenant, userId: 'u' }, 10)).toEqual([]);
}

describe('filter limits', () => {
  const refused = (limit: string) => ({
    code: 'invalid_filter',
    category: 'user',
    details: expect.objectContaining({ limit }),
    message: expect.stringContaining(`limits.${limit}`),
  });

  it('refuses huge lists, deep nesting and too many conditions before touching the store', async () => {
    const m = open();
    await m.add('topic a', { userId: 'u', infer: false, metadata: { topic: 'a' } });
    const cases: [Filter, string][] = [
      [{ topic: { in: list(40_000) } }, 'maxFilterList'],
      [{ topic: { nin: list(1_001) } }, 'maxFilterList'],
      [nested('NOT', 1_100), 'maxFilterDepth'],
      [nested('OR', 20_000), 'maxFilterDepth'],
      [nested('AND', 100_000), 'maxFilterDepth'],
      [{ OR: list(1_000).map((v) => ({ topic: v })) }, 'maxFilterNodes'],
      [{ [`metadata.${list(33).join('.')}`]: 1 }, 'maxMetadataDepth'],
    ];
    for (const [filters, limit] of cases) {
      await expect(m.search('topic', { userId: 'u', filters })).rejects.toMatchObject(refused(limit));
      await expect(m.getAll({ userId: 'u', filters })).rejects.toMatchObject(refused(limit));
    }
  });

  it('answers filters at the default limits', async () => {
    const m = open();
    await m.add('topic a', { userId: 'u', infer: false, metadata: { topic: 'a' } });
    const ok: Filter[] = [
      { topic: { in: [...list(999), 'a'] } },
      nested('NOT', 32), // an even number of NOTs: the condition itself
      nested('OR', 32),
      nested('AND', 32),
      { OR: [...list(998).map((v) => ({ topic: v })), { topic: 'a' }] },
    ];
    for (const filters of ok) {
      expect((await m.getAll({ userId: 'u', filters })).total).toBe(1);
      expect((await m.search('topic', { userId: 'u', filters })).results).toHaveLength(1);
    }
  });

  it('takes its limits from config limits', async () => {
    const m = open({ maxFilterList: 3, maxFilterDepth: 2, maxFilterNodes: 4 });
    await expect(m.getAll({ userId: 'u', filters: { topic: { in: list(4) } } })).rejects.toMatchObject(
      refused('maxFilterList'),
    );
    await expect(m.getAll({ userId: 'u', filters: nested('AND', 3) })).rejects.toMatchObject(
      refused('maxFilterDepth'),
    );
    await expect(m.getAll({ userId: 'u', filters: { a: 1, b: 2, c: 3, d: 4, e: 5 } })).rejects.toMatchObject(
      refused('maxFilterNodes'),
    );
    expect((await m.getAll({ userId: 'u', filters: nested('AND', 2) })).total).toBe(0);
  });
});

describe('metadata limits', () => {
  it('refuses metadata nested deeper than limits.maxMetadataDepth, before logging anything', async () => {
    const m = open();
    for (const levels of [33, 1_100, 100_000]) {
      await expect(
        m.add('deep', { userId: 'u', infer: false, metadata: deepMetadata(levels) }),
      ).rejects.toMatchObject({
        code: 'invalid_input',
        details: { field: 'metadata', limit: 'maxMetadataDepth', max: 32 },
        message: expect.stringContaining('limits.maxMetadataDepth'),
      });
    }
    await nothingWritten(m);
    const { results } = await m.add('just deep enough', {
      userId: 'u',
      infer: false,
      metadata: deepMetadata(32),
    });
    await expect(m.update(results[0]!.id, { metadata: { deep: deepMetadata(32) } })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { limit: 'maxMetadataDepth' },
    });
  });

  it('still names cycles as not serialisable', async () => {
    const m = open();
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    await expect(
      m.add('cyclic', { userId: 'u', infer: false, metadata: cyclic as Metadata }),
    ).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringContaining('no cycles') });
  });
});

describe('statement cache under filters with large lists', () => {
  it('holds a bounded number of statements after many searches and lists with different lists', async () => {
    const m = open();
    await m.add('topic a', { userId: 'u', infer: false, metadata: { topic: 'a' } });
    const round = async (n: number) => {
      const filters = { topic: { in: [...list(300 + n, `r${n}-`), 'a'] } }; // a new length each round
      await m.search('topic', { userId: 'u', filters });
      await m.getAll({ userId: 'u', filters });
    };
    for (let n = 0; n < 3; n++) await round(n);
    const warm = statementCacheStats();
    for (let n = 3; n < 300; n++) await round(n);
    expect(statementCacheStats()).toEqual(warm);
    expect(warm.statements).toBeLessThan(50);
  });
});

describe('time values', () => {
  it('accepts ISO 8601 and epoch seconds or milliseconds, and refuses the rest naming the field', async () => {
    const m = open();
    const at = (eventTime: string | number) =>
      m.add(`at ${eventTime}`, { userId: 'u', infer: false, eventTime });
    const seconds = (await at(1_683_554_160)).results[0]!.id;
    const millis = (await at(1_683_554_160_000)).results[0]!.id;
    for (const id of [seconds, millis]) {
      expect((await m.get(id)).valid_from).toBe('2023-05-08T13:56:00.000Z');
    }
    for (const eventTime of [
      1_683_554_160_000_000,
      '1683554160000000',
      '+010000-01-01T00:00:00Z',
      'May 8, 2023',
    ]) {
      await expect(at(eventTime)).rejects.toMatchObject({
        code: 'invalid_input',
        details: { field: 'eventTime' },
        message: expect.stringContaining('epoch seconds'),
      });
    }
    await expect(m.search('x', { userId: 'u', asOf: '9999-12-31T00:00:00Z' })).rejects.toMatchObject({
      code: 'invalid_input',
      details: { field: 'asOf' },
    });
  });
});

describe('text that is not valid Unicode', () => {
  it('stores lone surrogates as U+FFFD, so the text reads back as stored and matches its hash', async () => {
    const m = open();
    const added = await m.add([{ role: 'user', content: 'caf\uD800e \uDC00 ok' }], {
      userId: 'u',
      infer: false,
      metadata: { note: 'x\uDBFFy', 'k\uD800': 1 },
    });
    const item = await m.get(added.results[0]!.id);
    expect(item.memory).toBe('caf\uFFFDe \uFFFD ok');
    expect(item.hash).toBe(textHash(item.memory));
    expect(item.metadata).toEqual({ note: 'x\uFFFDy', 'k\uFFFD': 1 });
    const store = await m.store();
    expect((await store.recentMessages({ tenant: m.tenant, userId: 'u' }, 10)).map((x) => x.content)).toEqual(
      ['caf\uFFFDe \uFFFD ok'],
    );
    const updated = await m.update(item.id, 'now \uD83D only half');
    expect(updated.memory).toBe('now \uFFFD only half');
    expect(updated.hash).toBe(textHash(updated.memory));
    expect((await m.search('caf\uD800e', { userId: 'u' })).results).toBeDefined();
  });
});
