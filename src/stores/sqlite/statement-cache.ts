import type Database from 'better-sqlite3';

/** How much compiled SQL one connection keeps; a statement's memory grows with its SQL text. */
export interface StatementCacheLimits {
  /** Most statements kept (the least recently used goes first). */
  maxStatements: number;
  /** Most SQL text kept, in UTF-8 bytes, all statements together. */
  maxSqlBytes: number;
  /** A statement with a longer text is prepared for its one call and never kept. */
  maxStatementBytes: number;
}

export const DEFAULT_STATEMENT_CACHE_LIMITS: Readonly<StatementCacheLimits> = {
  maxStatements: 256,
  maxSqlBytes: 1024 * 1024,
  maxStatementBytes: 16 * 1024,
};

export interface StatementCacheStats {
  statements: number;
  sqlBytes: number;
}

/** An LRU of prepared statements by SQL text, bounded by count and by bytes of text. */
class StatementCache {
  readonly #limits: StatementCacheLimits;
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  readonly #entries = new Map<string, { statement: Database.Statement; bytes: number }>();
  #bytes = 0;

  constructor(limits: StatementCacheLimits) {
    this.#limits = limits;
  }

  get(sql: string, prepare: (sql: string) => Database.Statement): Database.Statement {
    const hit = this.#entries.get(sql);
    if (hit !== undefined) {
      this.#entries.delete(sql);
      this.#entries.set(sql, hit);
      return hit.statement;
    }
    const statement = prepare(sql);
    const bytes = Buffer.byteLength(sql);
    if (bytes > this.#limits.maxStatementBytes) return statement;
    this.#entries.set(sql, { statement, bytes });
    this.#bytes += bytes;
    for (const [oldest, entry] of this.#entries) {
      if (this.#entries.size <= this.#limits.maxStatements && this.#bytes <= this.#limits.maxSqlBytes) break;
      this.#entries.delete(oldest);
      this.#bytes -= entry.bytes;
    }
    return statement;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }

  stats(): StatementCacheStats {
    return { statements: this.#entries.size, sqlBytes: this.#bytes };
  }
}

/** The caches of open connections. Weak: a connection dropped without close() is not kept alive. */
const caches = new WeakMap<Database.Database, StatementCache>();
const openCaches = new Set<WeakRef<StatementCache>>();

/**
 * Makes `db.prepare(sql)` return a cached statement for SQL text it has seen. Compiling SQL was
 * the largest single cost of a search under load; statements are only ever run to completion
 * (get/all/run), so sharing one per text is safe, and SQLite re-prepares them itself after a
 * schema change. The cache is bounded (see StatementCacheLimits); filters bind their values,
 * `in` lists included (compile-filter.ts), so texts vary with a filter's shape only.
 */
export function cacheStatements(
  db: Database.Database,
  limits: StatementCacheLimits = DEFAULT_STATEMENT_CACHE_LIMITS,
): void {
  const prepare = db.prepare.bind(db);
  const close = db.close.bind(db);
  const cache = new StatementCache(limits);
  const ref = new WeakRef(cache);
  db.prepare = ((sql: string) => cache.get(sql, prepare)) as typeof db.prepare;
  db.close = (() => {
    openCaches.delete(ref);
    cache.clear();
    return close();
  }) as typeof db.close;
  caches.set(db, cache);
  openCaches.add(ref);
}

/**
 * What the statement cache holds: of one connection, or of every open connection of this
 * process together (for tests and diagnostics: the bound keeps a long-running server flat).
 */
export function statementCacheStats(db?: Database.Database): StatementCacheStats {
  if (db !== undefined) return caches.get(db)?.stats() ?? { statements: 0, sqlBytes: 0 };
  const total: StatementCacheStats = { statements: 0, sqlBytes: 0 };
  for (const ref of openCaches) {
    const stats = ref.deref()?.stats();
    if (stats === undefined) {
      openCaches.delete(ref);
      continue;
    }
    total.statements += stats.statements;
    total.sqlBytes += stats.sqlBytes;
  }
  return total;
}
