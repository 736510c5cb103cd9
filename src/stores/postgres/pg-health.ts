import type { StoreHealth } from '../../spec/store.js';
import { SCHEMA_VERSION } from './migrations.js';
import type { PgConnection } from './pg-connection.js';
import { schemaVersion } from './pg-migrator.js';

/**
 * The readiness check: cheap enough for a probe every few seconds, and a read only. One pooled
 * connection proves the server answers as engram's user, and the recorded schema version proves
 * the schema is the one this engram migrated (another engram may have migrated it since).
 * Never throws: a failure is the answer.
 */
export async function checkHealth(connection: PgConnection): Promise<StoreHealth> {
  if (connection.closed) return { ok: false, detail: 'the store is closed' };
  try {
    const { version, server } = await connection.withClient(async (q) => {
      const version = await schemaVersion(q);
      const row = await q.one<{ server_version: string }>('SHOW server_version');
      return { version, server: row?.server_version ?? 'unknown' };
    }, 'open');
    if (version !== SCHEMA_VERSION) {
      return {
        ok: false,
        detail: `The PostgreSQL schema at ${connection.where} is now at schema ${version}; this engram runs schema ${SCHEMA_VERSION}. Restart with the engram that migrated it.`,
      };
    }
    // /ready is unauthenticated: a healthy answer does not name the server or the schema.
    return { ok: true, detail: `PostgreSQL ${server}, engram schema ${version}` };
  } catch (error) {
    return { ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
}
