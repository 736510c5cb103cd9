import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { MemoryError } from '../../spec/memory-error.js';
import { cacheStatements } from './statement-cache.js';

/**
 * One better-sqlite3 connection with engram's settings: WAL, foreign keys, a busy timeout,
 * sqlite-vec loaded, prepared statements cached. Writes go through `write`, one IMMEDIATE
 * transaction each (the write lock is taken up front, so two processes never deadlock
 * upgrading a read lock), and a failure is always a MemoryError.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  #closed = false;

  constructor(path: string, busyTimeoutMs = 5000) {
    try {
      this.db = new Database(path);
    } catch (cause) {
      throw new MemoryError(
        'store_error',
        `Cannot open the database at ${path}: ${(cause as Error).message}. Check the path (config store.path, dbPath or ENGRAM_DB) and its permissions.`,
        { cause },
      );
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    sqliteVec.load(this.db);
    cacheStatements(this.db);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs `fn` as one IMMEDIATE transaction. */
  write<T>(fn: () => T): T {
    if (this.#closed) throw new MemoryError('closed', 'The store is closed.');
    try {
      return this.db.transaction(fn).immediate();
    } catch (cause) {
      if (cause instanceof MemoryError) throw cause;
      throw new MemoryError('store_error', `Database write failed: ${(cause as Error).message}`, { cause });
    }
  }

  /** Runs `fn` in one read transaction (a consistent snapshot across several statements). */
  read<T>(fn: () => T): T {
    if (this.#closed) throw new MemoryError('closed', 'The store is closed.');
    return this.db.transaction(fn).deferred();
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.db
      .prepare(
        'INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.db.close();
  }
}
