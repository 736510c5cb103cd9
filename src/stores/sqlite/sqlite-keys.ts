import type { ApiKeyRecord, KeyStore, NewApiKey } from '../../spec/api-key.js';
import { MemoryError } from '../../spec/memory-error.js';
import { KEY_COLUMNS, type KeyRow, toKey } from '../shared/store-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

/**
 * API keys inside the SQLite file. Lookups go by secret hash; the secret never reaches the
 * database. Writes run in `connection.write`: an INSERT/UPDATE … RETURNING outside a transaction
 * hands back its row before the commit, so a commit that failed would have looked like success.
 */
export class SqliteKeys implements KeyStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  get #db() {
    return this.#connection.db;
  }

  async createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    const row = this.#connection.write(
      () =>
        this.#db
          .prepare(
            `INSERT INTO api_keys(id, tenant, hash, prefix, name, user_id, agent_id, admin, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${KEY_COLUMNS}`,
          )
          .get(
            key.id,
            key.tenant,
            key.hash,
            key.prefix,
            key.name ?? null,
            key.userId ?? null,
            key.agentId ?? null,
            key.admin ? 1 : 0,
            key.at,
          ) as KeyRow,
    );
    return toKey(row);
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    const row = this.#db
      .prepare(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = ? AND revoked_at IS NULL`)
      .get(hash) as KeyRow | undefined;
    return row ? toKey(row) : null;
  }

  async listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT ${KEY_COLUMNS} FROM api_keys ${tenant === null ? '' : 'WHERE tenant = ?'} ORDER BY seq`,
      )
      .all(...(tenant === null ? [] : [tenant])) as KeyRow[];
    return rows.map(toKey);
  }

  async revokeApiKey(tenant: string | null, id: string, at: string): Promise<ApiKeyRecord> {
    const row = this.#connection.write(
      () =>
        this.#db
          .prepare(
            `UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?)
             WHERE id = ? ${tenant === null ? '' : 'AND tenant = ?'} RETURNING ${KEY_COLUMNS}`,
          )
          .get(at, id, ...(tenant === null ? [] : [tenant])) as KeyRow | undefined,
    );
    if (!row) {
      throw new MemoryError('not_found', `No API key with id ${id}.`, {
        hint: 'list_keys',
        details: { id },
      });
    }
    return toKey(row);
  }
}
