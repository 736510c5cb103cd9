import type { StoredMessage } from '../../spec/memory-record.js';
import type { Scope } from '../../spec/scope.js';
import type { MessageStore, NewMessage, RecentMessagesOptions } from '../../spec/store.js';
import { type MessageRow, toStoredMessage } from '../shared/row-mapping.js';
import type { PgConnection } from './pg-connection.js';

/**
 * The raw conversation log per scope; a message with a known ref is logged once. Scope ids are
 * matched as coalesce(id, '') so the lookup uses the messages_scope expression index (ids are
 * never empty strings, so '' stands for "absent" without ambiguity).
 */
export class PgMessages implements MessageStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async appendMessages(scope: Scope, messages: NewMessage[], at?: string): Promise<StoredMessage[]> {
    const now = at ?? new Date().toISOString();
    return this.#connection.write(async (q) => {
      const logged: StoredMessage[] = [];
      // One by one, in order: seq follows the conversation, and a ref repeated within the batch
      // (or logged by a concurrent re-run of the same job) is skipped, not an error.
      for (const m of messages) {
        const row = await q.one<MessageRow>(
          `INSERT INTO messages(tenant, user_id, agent_id, run_id, role, name, content, event_time, created_at, ref)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10)
           ON CONFLICT (tenant, ref) WHERE ref IS NOT NULL DO NOTHING RETURNING *`,
          [
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
          ],
        );
        if (row) logged.push(toStoredMessage(row));
      }
      return logged;
    });
  }

  async recentMessages(
    scope: Scope,
    limit: number,
    options: RecentMessagesOptions = {},
  ): Promise<StoredMessage[]> {
    const params: unknown[] = [scope.tenant, scope.userId ?? '', scope.agentId ?? '', scope.runId ?? ''];
    // A missing ref makes min() NULL, and `seq < NULL` selects nothing, as the contract says.
    const before =
      options.beforeRefs === undefined
        ? ''
        : `AND seq < (SELECT min(seq) FROM messages WHERE tenant = $1 AND ref IS NOT NULL
             AND ref = ANY($${params.push([...options.beforeRefs])}::text[]))`;
    const sql = `SELECT * FROM messages
      WHERE tenant = $1 AND coalesce(user_id, '') = $2 AND coalesce(agent_id, '') = $3 AND coalesce(run_id, '') = $4
      ${before} ORDER BY seq DESC LIMIT $${params.push(limit)}`;
    const rows = await this.#connection.withClient((q) => q.rows<MessageRow>(sql, params));
    return rows.reverse().map(toStoredMessage);
  }

  async messagesAfter(scope: Scope, afterId: number, limit: number): Promise<StoredMessage[]> {
    const rows = await this.#connection.withClient((q) =>
      q.rows<MessageRow>(
        `SELECT * FROM messages
         WHERE tenant = $1 AND coalesce(user_id, '') = $2 AND coalesce(agent_id, '') = $3 AND coalesce(run_id, '') = $4
           AND seq > $5 ORDER BY seq LIMIT $6`,
        [scope.tenant, scope.userId ?? '', scope.agentId ?? '', scope.runId ?? '', afterId, limit],
      ),
    );
    return rows.map(toStoredMessage);
  }
}
