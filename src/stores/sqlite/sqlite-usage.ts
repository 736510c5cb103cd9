import type { UsageDelta, UsageStore, UsageTotals } from '../../spec/usage-store.js';
import { toUsageTotals, type UsageRow } from '../shared/store-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** Running totals of what adds cost, per scope (absent ids are stored as '' so the key is unique). */
export class SqliteUsage implements UsageStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  async recordUsage(
    tenant: string,
    scope: { userId: string | null; agentId: string | null; runId: string | null },
    delta: UsageDelta,
    at: string,
  ): Promise<void> {
    this.#connection.write(() => {
      this.#connection.db
        .prepare(
          `INSERT INTO usage_totals(tenant, user_id, agent_id, run_id, adds, llm_calls, input_tokens, output_tokens,
             embed_calls, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
           ON CONFLICT(tenant, user_id, agent_id, run_id) DO UPDATE SET adds = adds + 1,
             llm_calls = llm_calls + excluded.llm_calls, input_tokens = input_tokens + excluded.input_tokens,
             output_tokens = output_tokens + excluded.output_tokens, embed_calls = embed_calls + excluded.embed_calls,
             updated_at = excluded.updated_at`,
        )
        .run(
          tenant,
          scope.userId ?? '',
          scope.agentId ?? '',
          scope.runId ?? '',
          delta.llmCalls,
          delta.inputTokens,
          delta.outputTokens,
          delta.embedCalls,
          at,
        );
    });
  }

  async usageTotals(
    tenant: string,
    scope: { userId?: string | null; agentId?: string | null; runId?: string | null },
  ): Promise<UsageTotals[]> {
    const parts = ['tenant = ?'];
    const params: string[] = [tenant];
    for (const [column, value] of [
      ['user_id', scope.userId],
      ['agent_id', scope.agentId],
      ['run_id', scope.runId],
    ] as const) {
      if (value) {
        parts.push(`${column} = ?`);
        params.push(value);
      }
    }
    const rows = this.#connection.db
      .prepare(`SELECT * FROM usage_totals WHERE ${parts.join(' AND ')} ORDER BY updated_at DESC`)
      .all(...params) as UsageRow[];
    return rows.map(toUsageTotals);
  }
}
