import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';
import { PostgresStore } from '../../src/stores/postgres/pg-store.js';

/**
 * PostgreSQL tests run against a real server: ENGRAM_TEST_PG_URL, which
 * `scripts/pg-test-server.sh start` prints (and .ci/run exports). Without it they are skipped,
 * saying why — except in CI (CI=true), where a missing server is a failure, never a skip.
 */
export const PG_URL = process.env.ENGRAM_TEST_PG_URL?.trim() || null;

const WHY_SKIPPED =
  'ENGRAM_TEST_PG_URL is not set: start a throwaway server with `eval "$(bash scripts/pg-test-server.sh start)"` to run the PostgreSQL tests';

if (PG_URL === null && process.env.CI === 'true') {
  throw new Error(`PostgreSQL tests cannot run in CI: ${WHY_SKIPPED}.`);
}

/** `describe` when a server is configured; otherwise a skipped block whose name says why. */
export function describePostgres(name: string, body: () => void): void {
  if (PG_URL === null) {
    describe.skip(`${name} — skipped: ${WHY_SKIPPED}`, body);
    return;
  }
  describe(name, body);
}

export function requirePgUrl(): string {
  if (PG_URL === null) throw new Error(WHY_SKIPPED);
  return PG_URL;
}

/** A schema name no other test uses. */
export function freshSchema(prefix = 't'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Runs one statement on the test server (outside any store). */
export async function pgAdmin<T = unknown>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: requirePgUrl() });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await pgAdmin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}

/** A store in a schema of its own, dropped by cleanup (the conformance fixture shape). */
export async function postgresFixture(options: { pool?: number; language?: string } = {}) {
  const schema = freshSchema();
  const store = new PostgresStore({ url: requirePgUrl(), schema, pool: options.pool ?? 4, ...options });
  return {
    store,
    schema,
    cleanup: async () => {
      await store.close();
      await dropSchema(schema);
    },
  };
}
