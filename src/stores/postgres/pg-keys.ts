import type { ApiKeyRecord, KeyStore, NewApiKey } from '../../spec/api-key.js';
import { MemoryError } from '../../spec/memory-error.js';
import { KEY_COLUMNS, type KeyRow, toKey } from '../shared/store-rows.js';
import type { PgConnection } from './pg-connection.js';

/**
 * API keys in PostgreSQL. Lookups go by secret hash; the secret never reaches the database.
 * Writes run in `connection.write`, so a key is reported created or revoked only once the
 * commit succeeded; the hash column never leaves the database (KEY_COLUMNS leaves it out).
 */
export class PgKeys implements KeyStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    const row = await this.#connection.write((q) =>
      q.one<KeyRow>(
        `INSERT INTO api_keys(id, tenant, hash, prefix, name, user_id, agent_id, admin, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz) RETURNING ${KEY_COLUMNS}`,
        [
          key.id,
          key.tenant,
          key.hash,
          key.prefix,
          key.name ?? null,
          key.userId ?? null,
          key.agentId ?? null,
          key.admin === true,
          key.at,
        ],
      ),
    );
    return toKey(row!);
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    const row = await this.#connection.withClient((q) =>
      q.one<KeyRow>(`SELECT ${KEY_COLUMNS} FROM api_keys WHERE hash = $1 AND revoked_at IS NULL`, [hash]),
    );
    return row ? toKey(row) : null;
  }

  async listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    const rows = await this.#connection.withClient((q) =>
      q.rows<KeyRow>(
        `SELECT ${KEY_COLUMNS} FROM api_keys ${tenant === null ? '' : 'WHERE tenant = $1'} ORDER BY seq`,
        tenant === null ? [] : [tenant],
      ),
    );
    return rows.map(toKey);
  }

  async revokeApiKey(tenant: string | null, id: string, at: string): Promise<ApiKeyRecord> {
    // coalesce: revoking twice keeps the first revocation's time.
    const row = await this.#connection.write((q) =>
      q.one<KeyRow>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1::timestamptz)
         WHERE id = $2 ${tenant === null ? '' : 'AND tenant = $3'} RETURNING ${KEY_COLUMNS}`,
        [at, id, ...(tenant === null ? [] : [tenant])],
      ),
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
