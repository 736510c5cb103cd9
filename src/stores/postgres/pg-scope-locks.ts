import type { Client } from 'pg';
import { ScopeLock } from '../../util/scope-lock.js';
import type { PgConnection } from './pg-connection.js';
import { pgFailure } from './pg-failure.js';

const FIRST_WAIT_MS = 20;
const MAX_WAIT_MS = 500;

/**
 * Per-scope exclusion across every process on one database: a session-level advisory lock per
 * scope key, held while a scope's inference runs (seconds: an LLM call), so two processes never
 * reconcile the same user's facts at once.
 *
 * All of a process's scope locks live on ONE dedicated connection, outside the pool: a lock held
 * for an LLM call must not keep a pooled connection (a burst of scopes would exhaust the pool and
 * deadlock on itself). That connection asks with pg_try_advisory_lock and waits between tries,
 * so waiting for one scope never blocks taking another. If the connection dies, PostgreSQL
 * releases its locks; it is reopened on the next use. Advisory locks are re-entrant within one
 * session, so callers in this process queue on an in-process lock per key first.
 */
export class PgScopeLocks {
  readonly #connection: PgConnection;
  #client: Promise<Client> | undefined;
  /** Advisory locks are re-entrant within a session: callers of this process queue here first. */
  readonly #local = new ScopeLock();

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async #session(): Promise<Client> {
    this.#client ??= (async () => {
      const pg = await import('pg');
      const client = new pg.default.Client({
        connectionString: this.#connection.url,
        application_name: `engram-locks ${this.#connection.schema}`.slice(0, 63),
      });
      client.on('error', () => {
        this.#client = undefined;
      });
      client.on('end', () => {
        this.#client = undefined;
      });
      await client.connect();
      return client;
    })().catch((error: unknown) => {
      this.#client = undefined;
      throw pgFailure(this.#connection.where, error, 'open');
    });
    return this.#client;
  }

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#local.run(key, () => this.#exclusive(key, fn));
  }

  async #exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const lockKey = `${this.#connection.schema}\u001f${key}`;
    let wait = FIRST_WAIT_MS;
    for (;;) {
      const client = await this.#session();
      const { rows } = await client
        .query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', [
          'engram:scope',
          lockKey,
        ])
        .catch((error: unknown) => {
          throw pgFailure(this.#connection.where, error, 'read');
        });
      if (rows[0]?.ok) break;
      await new Promise((resolve) => setTimeout(resolve, wait));
      wait = Math.min(MAX_WAIT_MS, wait * 2);
    }
    try {
      return await fn();
    } finally {
      const client = await this.#client?.catch(() => undefined);
      await client
        ?.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', ['engram:scope', lockKey])
        .catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const client = await this.#client?.catch(() => undefined);
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
