import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFilter } from '../../src/memory/filters/parse-filter.js';
import type { Filter } from '../../src/spec/filter.js';
import { compileFilter } from '../../src/stores/sqlite/compile-filter.js';
import { cacheStatements, statementCacheStats } from '../../src/stores/sqlite/statement-cache.js';

const opened: Database.Database[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.open) db.close();
});

function openDb(limits?: Parameters<typeof cacheStatements>[1]): Database.Database {
  const db = new Database(':memory:');
  opened.push(db);
  cacheStatements(db, limits);
  return db;
}

const select = (n: number) => `SELECT ${n} AS n`;

describe('statement cache', () => {
  it('keeps at most maxStatements, evicting the least recently used', () => {
    const db = openDb({ maxStatements: 3, maxSqlBytes: 1_000_000, maxStatementBytes: 1_000 });
    const first = db.prepare(select(1));
    const second = db.prepare(select(2));
    db.prepare(select(3));
    expect(db.prepare(select(1))).toBe(first); // a hit, and now the most recent
    db.prepare(select(4)); // evicts 2, the least recently used
    expect(statementCacheStats(db).statements).toBe(3);
    expect(db.prepare(select(1))).toBe(first);
    expect(db.prepare(select(2))).not.toBe(second);
    expect(db.prepare(select(2)).get()).toEqual({ n: 2 });
  });

  it('keeps at most maxSqlBytes of SQL text and never keeps a text over maxStatementBytes', () => {
    const padded = (n: number) => `SELECT ${n} AS n /* ${'x'.repeat(20)} */`;
    const size = Buffer.byteLength(padded(0));
    const db = openDb({ maxStatements: 1_000, maxSqlBytes: 2 * size + 5, maxStatementBytes: 60 });
    for (let n = 0; n < 10; n++) db.prepare(padded(n));
    expect(statementCacheStats(db)).toEqual({ statements: 2, sqlBytes: 2 * size });
    expect(db.prepare(padded(9)).get()).toEqual({ n: 9 });
    const long = `SELECT 1 AS n /* ${'y'.repeat(100)} */`;
    const once = db.prepare(long);
    expect(db.prepare(long)).not.toBe(once);
    expect(statementCacheStats(db)).toEqual({ statements: 2, sqlBytes: 2 * size });
  });

  it('closing the connection empties its cache', () => {
    const db = openDb();
    db.prepare(select(1));
    expect(statementCacheStats(db).statements).toBe(1);
    db.close();
    expect(statementCacheStats(db).statements).toBe(0);
  });
});

describe('compileFilter binds values, so the SQL text depends on the filter shape only', () => {
  const where = (filter: Filter) => compileFilter(parseFilter(filter)!);

  it('an in / nin list is one JSON parameter whatever its length', () => {
    const short = where({ topic: { in: ['a', 'b'] } });
    const long = where({ topic: { in: Array.from({ length: 1000 }, (_, i) => `t${i}`) } });
    expect(long.sql).toBe(short.sql);
    expect(long.params).toHaveLength(1);
    expect(where({ topic: { nin: [1, 2, 3] } }).sql).toBe(where({ topic: { nin: [4] } }).sql);
  });

  it('in / nin keep their meaning: types, booleans, NULL rows', () => {
    const db = openDb();
    db.exec(`CREATE TABLE memories (id INTEGER, metadata TEXT, importance REAL, memory_type TEXT)`);
    const insert = db.prepare('INSERT INTO memories VALUES (?, ?, ?, ?)');
    insert.run(1, JSON.stringify({ topic: 'food', n: 1, ok: true }), 0.5, 'semantic');
    insert.run(2, JSON.stringify({ topic: 'travel', n: 2.5, ok: false }), 1, 'episodic');
    insert.run(3, JSON.stringify({}), 0.25, 'semantic');
    const ids = (filter: Filter) => {
      const w = where(filter);
      return db
        .prepare(`SELECT id FROM memories m WHERE ${w.sql} ORDER BY id`)
        .all(...w.params)
        .map((r) => (r as { id: number }).id);
    };
    expect(ids({ topic: { in: ['food', 'x'] } })).toEqual([1]);
    expect(ids({ topic: { nin: ['food'] } })).toEqual([2, 3]);
    expect(ids({ n: { in: [2.5, 1] } })).toEqual([1, 2]);
    expect(ids({ ok: { in: [true] } })).toEqual([1]);
    expect(ids({ ok: { nin: [true] } })).toEqual([2, 3]);
    expect(ids({ importance: { in: [1, 0.25] } })).toEqual([2, 3]);
    expect(ids({ memory_type: { nin: ['semantic'] } })).toEqual([2]);
  });

  it('999 ORed conditions compile to SQL that SQLite accepts (balanced, not a 999-deep chain)', () => {
    const db = openDb();
    db.exec(`CREATE TABLE memories (id INTEGER, metadata TEXT)`);
    db.prepare('INSERT INTO memories VALUES (1, ?)').run(JSON.stringify({ k: 'v998' }));
    const w = where({ OR: Array.from({ length: 999 }, (_, i) => ({ k: `v${i}` })) });
    expect(db.prepare(`SELECT id FROM memories m WHERE ${w.sql}`).all(...w.params)).toEqual([{ id: 1 }]);
  });

  it('filters at the largest limits the config allows still compile to SQL that SQLite runs', () => {
    const caps = { maxFilterDepth: 100, maxFilterNodes: 5_000, maxFilterList: 1_000, maxMetadataDepth: 500 };
    const db = openDb();
    db.exec(`CREATE TABLE memories (id INTEGER, metadata TEXT)`);
    db.prepare('INSERT INTO memories VALUES (1, ?)').run(JSON.stringify({ k: 'hit' }));
    const leaves = (n: number, op: 'eq' | 'contains') =>
      Array.from({ length: n }, (_, i) => ({ k: { [op]: `v${i}` } }));
    // 100 levels: each an OR of 3 conditions and the next level, or a NOT of such an AND.
    let orChain: Filter = { k: 'hit' };
    for (let level = 0; level < 100; level++) orChain = { OR: [...leaves(3, 'contains'), orChain] };
    let notChain: Filter = { k: { ne: 'hit' } };
    for (let level = 0; level < 50; level++) notChain = { NOT: { AND: [...leaves(3, 'eq'), notChain] } };
    for (const filter of [orChain, notChain, { OR: [...leaves(4_998, 'eq'), { k: 'hit' }] }]) {
      const w = compileFilter(parseFilter(filter, caps)!);
      expect(db.prepare(`SELECT id FROM memories m WHERE ${w.sql}`).all(...w.params)).toEqual([{ id: 1 }]);
    }
  });
});
