import type { StoredMessage } from '../../spec/memory-record.js';
import type { Scope } from '../../spec/scope.js';
import type { MessageStore, NewMessage, RecentMessagesOptions } from '../../spec/store.js';
import { type MessageRow, toStoredMessage } from '../shared/row-mapping.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** The raw conversation log per scope; a message with a known ref is logged once. */
export class SqliteMessages implements MessageStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  async appendMessages(scope: Scope, messages: NewMessage[], at?: string): Promise<StoredMessage[]> {
    const insert = this.#connection.db.prepare(
      `INSERT INTO messages(tenant, user_id, agent_id, run_id, role, name, content, event_time, created_at, ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
    );
    const now = at ?? new Date().toISOString();
    return this.#connection.write(() =>
      messages.flatMap((m) => {
        const row = insert.get(
          scope.tenant,
          scope.userId ?? null,
          scope.agentId ?? null,
          scope.runId ?? null,
          m.role,
          m.name ?? null,
          m.content,
          m.eventTime,
          now,
          m.ref ?? null,
        ) as MessageRow | undefined;
        return row ? [toStoredMessage(row)] : [];
      }),
    );
  }

  async recentMessages(
    scope: Scope,
    limit: number,
    options: RecentMessagesOptions = {},
  ): Promise<StoredMessage[]> {
    const scoped = [scope.tenant, scope.userId ?? null, scope.agentId ?? null, scope.runId ?? null];
    // A missing ref makes min() NULL, and `seq < NULL` selects nothing, as the contract says.
    const before =
      options.beforeRefs === undefined
        ? { sql: '', params: [] }
        : {
            sql: 'AND seq < (SELECT min(seq) FROM messages WHERE tenant = ? AND ref IS NOT NULL AND ref IN (SELECT value FROM json_each(?)))',
            params: [scope.tenant, JSON.stringify(options.beforeRefs)],
          };
    const rows = this.#connection.db
      .prepare(
        `SELECT * FROM messages WHERE tenant = ? AND user_id IS ? AND agent_id IS ? AND run_id IS ?
         ${before.sql} ORDER BY seq DESC LIMIT ?`,
      )
      .all(...scoped, ...before.params, limit) as MessageRow[];
    return rows.reverse().map(toStoredMessage);
  }

  async messagesAfter(scope: Scope, afterId: number, limit: number): Promise<StoredMessage[]> {
    const rows = this.#connection.db
      .prepare(
        `SELECT * FROM messages WHERE tenant = ? AND user_id IS ? AND agent_id IS ? AND run_id IS ? AND seq > ?
         ORDER BY seq LIMIT ?`,
      )
      .all(
        scope.tenant,
        scope.userId ?? null,
        scope.agentId ?? null,
        scope.runId ?? null,
        afterId,
        limit,
      ) as MessageRow[];
    return rows.map(toStoredMessage);
  }
}
