import type Database from 'better-sqlite3';

const MAX_STATEMENTS = 512;

/**
 * Makes `db.prepare(sql)` return a cached statement for SQL text it has seen. Compiling SQL was
 * the largest single cost of a search under load; statements are only ever run to completion
 * (get/all/run), so sharing one per text is safe, and SQLite re-prepares them itself after a
 * schema change. The cache is cleared when full (filters make a long tail of distinct texts).
 */
export function cacheStatements(db: Database.Database): void {
  const prepare = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  const cached = (sql: string): Database.Statement => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (cache.size >= MAX_STATEMENTS) cache.clear();
      cache.set(sql, statement);
    }
    return statement;
  };
  db.prepare = cached as typeof db.prepare;
}
