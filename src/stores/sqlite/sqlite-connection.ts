import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { MemoryError } from '../../spec/memory-error.js';
import { type EncryptionOptions, hasContent, openEncrypted, resolveEncryptionKey } from './sqlite-cipher.js';
import { readOnlyError, sqliteFailure } from './sqlite-failure.js';
import { readHeader } from './sqlite-health.js';
import { cacheStatements } from './statement-cache.js';

export interface SqliteConnectionOptions extends EncryptionOptions {
  /** Milliseconds to wait for another process's write lock (default 5 s). */
  busyTimeoutMs?: number;
  /** Open an existing file for reads only: no WAL switch, no migrations, every write refused. */
  readOnly?: boolean;
}

/**
 * One better-sqlite3 connection with engram's settings: WAL, foreign keys, a busy timeout,
 * sqlite-vec loaded, prepared statements cached. Writes go through `write`, one IMMEDIATE
 * transaction each (the write lock is taken up front, so two processes never deadlock
 * upgrading a read lock); a write that fails, commit included, is always a MemoryError and
 * leaves nothing behind.
 */
export class SqliteConnection {
  readonly db: Database.Database;
  readonly path: string;
  readonly readOnly: boolean;
  /** Opened with a key (sqlite-cipher.ts): every page on disk is encrypted. */
  readonly encrypted: boolean;
  #header: Buffer | null = null;
  readonly #onRollback: (() => void)[] = [];
  #closed = false;

  constructor(path: string, options: SqliteConnectionOptions = {}) {
    this.path = path;
    this.readOnly = options.readOnly ?? false;
    if (this.readOnly && (path === ':memory:' || path === '' || !existsSync(path))) {
      throw new MemoryError(
        'store_error',
        `There is no database at ${path} to open read-only: store.readOnly opens an existing engram database. Check config store.path, dbPath or ENGRAM_DB.`,
        { details: { path } },
      );
    }
    const key = resolveEncryptionKey(options);
    this.encrypted = key !== null;
    const flags = this.readOnly ? { readonly: true, fileMustExist: true } : {};
    // The key must come before any other statement: the cipher build is loaded only for it.
    if (key) {
      this.db = openEncrypted(path, key, flags, (cause) => sqliteFailure(path, cause, 'open'));
    } else {
      try {
        this.db = new Database(path, flags);
      } catch (cause) {
        throw sqliteFailure(path, cause, 'open');
      }
    }
    // Settings of the connection only: nothing here reads the file (see `configure`).
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqliteVec.load(this.db);
    cacheStatements(this.db);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * The first reads of the file (init): WAL (persistent in the file, so a read-only connection
   * leaves it as it is) and `synchronous`. A file that is not SQLite, or one SQLite cannot read,
   * fails here with a message that names the path and what to do.
   */
  configure(): void {
    this.#assertOpen();
    try {
      if (!this.readOnly) this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
    } catch (cause) {
      throw sqliteFailure(this.path, cause, 'open');
    }
    this.expectedHeader();
  }

  /**
   * What the file's first 16 bytes must be while this connection runs (health): an encrypted file
   * starts with its random salt, taken at the first look after the file has content; null: the
   * plain SQLite header.
   */
  expectedHeader(): Buffer | null {
    if (!this.encrypted) return null;
    if (!this.#header && hasContent(this.path)) {
      const header = readHeader(this.path);
      if (!(header instanceof Error) && header.length === 16) this.#header = header;
    }
    return this.#header;
  }

  /** Runs `fn` as one IMMEDIATE transaction; any failure, the commit's included, is a MemoryError. */
  write<T>(fn: () => T): T {
    this.#assertOpen();
    if (this.readOnly) throw readOnlyError(this.path, 'it was opened with store.readOnly');
    try {
      return this.db.transaction(fn).immediate();
    } catch (cause) {
      for (const forget of this.#onRollback) forget();
      throw sqliteFailure(this.path, cause, 'write');
    }
  }

  /** Calls `forget` after every write that rolled back: state cached from inside it may be gone. */
  onRollback(forget: () => void): void {
    this.#onRollback.push(forget);
  }

  /** Runs `fn` in one read transaction (a consistent snapshot across several statements). */
  read<T>(fn: () => T): T {
    this.#assertOpen();
    return this.db.transaction(fn).deferred();
  }

  getMeta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  /** Only inside `write` (a commit that fails must fail the caller). */
  setMeta(key: string, value: string): void {
    if (!this.db.inTransaction) throw new MemoryError('store_error', 'setMeta runs only inside write().');
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

  #assertOpen(): void {
    if (this.#closed) throw new MemoryError('closed', 'The store is closed.');
  }
}
