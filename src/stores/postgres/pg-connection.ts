import type { Pool, PoolClient, PoolConfig } from 'pg';
import { MemoryError } from '../../spec/memory-error.js';
import { pgFailure, readOnlyError, redactUrl } from './pg-failure.js';

/** What a driver module needs to run statements: one client, inside or outside a transaction. */
export interface PgQuery {
  /** Rows of one statement ($1, $2 … parameters). */
  rows<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row, or undefined. */
  one<T>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** Runs a statement for its effect; returns the number of rows it touched. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
}

export interface PgConnectionOptions {
  url: string;
  /** The schema engram's tables live in (created when missing). Default "engram". */
  schema: string;
  /** Most connections the pool opens. Default 10. */
  poolSize: number;
  /** Reads only: every write is refused with `read_only` before it reaches the server. */
  readOnly?: boolean;
}

/** SQLSTATEs worth one more try of the whole transaction: a serialization failure or a deadlock. */
const RETRYABLE = new Set(['40001', '40P01']);
const ATTEMPTS = 4;

/** timestamptz (1184) and timestamp (1114) come back as ISO 8601 strings, like the SQLite store's. */
const TIMESTAMPTZ = 1184;
const INT8 = 20;

/**
 * A `pg` pool with engram's settings: every connection sees the engram schema first and the
 * schema holding pgvector second (search_path), timestamps are ISO strings, bigints are numbers.
 * Writes go through `write`, one transaction each (retried whole on a deadlock or serialization
 * failure); every failure, the commit's included, is a MemoryError that says what to do.
 */
export class PgConnection {
  readonly url: string;
  readonly schema: string;
  readonly #poolSize: number;
  readonly readOnly: boolean;
  #pool: Pool | undefined;
  #searchPath: string;
  #closed = false;
  /** The search_path each pooled client was last given, so it is set once per client, not per use. */
  readonly #pathOf = new WeakMap<PoolClient, string>();

  constructor(options: PgConnectionOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(options.schema)) {
      throw new MemoryError(
        'invalid_config',
        `store.schema must be a plain PostgreSQL identifier (letters, digits, underscore; at most 63), got ${JSON.stringify(options.schema)}.`,
        { details: { schema: options.schema } },
      );
    }
    this.url = options.url;
    this.schema = options.schema;
    this.#poolSize = options.poolSize;
    this.readOnly = options.readOnly ?? false;
    this.#searchPath = `"${options.schema}", public`;
  }

  /** Where this store lives, without the password (for messages). */
  get where(): string {
    return `${redactUrl(this.url)} (schema ${this.schema})`;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The schema that holds the pgvector extension goes on every connection's search_path. */
  setExtensionSchema(schema: string): void {
    this.#searchPath =
      schema === this.schema ? `"${this.schema}"` : `"${this.schema}", "${schema.replaceAll('"', '""')}"`;
  }

  async #open(): Promise<Pool> {
    if (this.#closed) throw new MemoryError('closed', 'The store is closed.');
    if (this.#pool) return this.#pool;
    const pg = await import('pg');
    const Pool = pg.default.Pool;
    const types = pg.default.types;
    const config: PoolConfig = {
      connectionString: this.url,
      max: this.#poolSize,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      // The schema in the name tells deployments sharing a server apart in pg_stat_activity.
      application_name: `engram ${this.schema}`.slice(0, 63),
      types: {
        getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
          if (oid === TIMESTAMPTZ || oid === 1114) {
            const parse = types.getTypeParser(oid, 'text') as (value: string) => Date;
            return (value: string) => parse(value).toISOString();
          }
          if (oid === INT8) return (value: string) => Number(value);
          return types.getTypeParser(oid, format as 'text');
        }) as typeof types.getTypeParser,
      },
    };
    const pool = new Pool(config);
    // An idle client that loses its server (a restart, a failover) must not crash the process.
    pool.on('error', () => {});
    this.#pool = pool;
    return pool;
  }

  /**
   * A pooled client for the duration of `fn` (no transaction): reads, and statements that manage
   * their own. A connection the server dropped (a restart, a failover) is destroyed, not returned
   * to the pool, and `fn` runs again on another connection — unless the loss came while a COMMIT
   * was on its way, when nobody can know whether it committed: that is a retryable error.
   */
  async withClient<T>(
    fn: (q: PgQuery, client: PoolClient) => Promise<T>,
    doing: 'open' | 'read' | 'write' = 'read',
  ): Promise<T> {
    const pool = await this.#open();
    for (let attempt = 1; ; attempt++) {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (cause) {
        throw pgFailure(this.where, cause, 'open');
      }
      if (!this.#pathOf.has(client)) {
        // A server gone while the client is checked out emits 'error' on it; the failing query
        // reports it, so the event itself must not crash the process.
        client.on('error', () => {});
      }
      let lost: Error | undefined;
      try {
        // A client made before the extension schema was known still has the old path.
        if (this.#pathOf.get(client) !== this.#searchPath) {
          await client.query(`SET search_path TO ${this.#searchPath}`);
          this.#pathOf.set(client, this.#searchPath);
        }
        return await fn(queryOn(client), client);
      } catch (cause) {
        if (connectionLost(cause)) lost = cause instanceof Error ? cause : new Error(String(cause));
        // Every idle connection may have been dropped at once: try each, then a fresh one.
        const again = lost !== undefined && !committing(cause) && attempt <= this.#poolSize;
        if (!again) throw pgFailure(this.where, cause, doing);
      } finally {
        client.release(lost);
      }
    }
  }

  /** Several reads that must see one snapshot (REPEATABLE READ, read only). */
  async read<T>(fn: (q: PgQuery) => Promise<T>, settings = ''): Promise<T> {
    // One round trip: BEGIN and any SET LOCAL the statements need (no parameters, simple protocol).
    return this.withClient((q, client) =>
      inTransaction(client, `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;${settings}`, () => fn(q)),
    );
  }

  /** Runs `fn` in one READ COMMITTED transaction; all or nothing, retried whole on a deadlock. */
  async write<T>(fn: (q: PgQuery) => Promise<T>): Promise<T> {
    if (this.readOnly) throw readOnlyError(this.where, 'it was opened with store.readOnly');
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withClient((q, client) => inTransaction(client, 'BEGIN', () => fn(q)), 'write');
      } catch (error) {
        const state = sqlState(error);
        if (attempt < ATTEMPTS && state !== null && RETRYABLE.has(state)) continue;
        throw pgFailure(this.where, error, 'write');
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.end();
  }
}

/** `begin`, then `fn`, then COMMIT; ROLLBACK (and rethrow) when anything fails. */
export async function inTransaction<T>(client: PoolClient, begin: string, fn: () => Promise<T>): Promise<T> {
  await client.query(begin);
  let result: T;
  try {
    result = await fn();
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
  try {
    await client.query('COMMIT');
  } catch (error) {
    // The transaction may or may not have committed: never run it again blindly.
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), { duringCommit: true });
  }
  return result;
}

function committing(error: unknown): boolean {
  return (error as { duringCommit?: unknown } | null)?.duringCommit === true;
}

function queryOn(client: PoolClient): PgQuery {
  return {
    async rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return (await client.query(sql, params as unknown[])).rows as T[];
    },
    async one<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
      return (await client.query(sql, params as unknown[])).rows[0] as T | undefined;
    },
    async run(sql: string, params: readonly unknown[] = []): Promise<number> {
      return (await client.query(sql, params as unknown[])).rowCount ?? 0;
    },
  };
}

/** Whether an error means the connection itself is gone (not a refused statement). */
function connectionLost(error: unknown): boolean {
  if (error instanceof MemoryError) return false;
  const state = sqlState(error);
  return state === null || state.startsWith('08') || state.startsWith('57P');
}

/** The SQLSTATE of a server error (a MemoryError keeps the one it wraps), or null. */
export function sqlState(error: unknown): string | null {
  let e: unknown = error;
  for (let depth = 0; e && depth < 3; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}
