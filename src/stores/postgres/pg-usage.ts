import type { UsageDelta, UsageStore, UsageTotals } from '../../spec/usage-store.js';
import { toUsageTotals, type UsageRow } from '../shared/store-rows.js';
import type { PgConnection } from './pg-connection.js';

/**
 * Running totals of what adds cost, per scope (absent ids are stored as '' so the key is unique).
 * One upsert per add: concurrent adds from several processes each add their share, none is lost.
 */
export class PgUsage implements UsageStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async recordUsage(
    tenant: string,
    scope: { userId: string | null; agentId: string | null; runId: string | null },
    delta: UsageDelta,
    at: string,
  ): Promise<void> {
    // Columns are qualified in DO UPDATE: a bare name there would be ambiguous with excluded's.
    await this.#connection.write((q) =>
      q.run(
        `INSERT INTO usage_totals(tenant, user_id, agent_id, run_id, adds, llm_calls, input_tokens, output_tokens,
           embed_calls, updated_at) VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9::timestamptz)
         ON CONFLICT (tenant, user_id, agent_id, run_id) DO UPDATE SET adds = usage_totals.adds + 1,
           llm_calls = usage_totals.llm_calls + excluded.llm_calls,
           input_tokens = usage_totals.input_tokens + excluded.input_tokens,
           output_tokens = usage_totals.output_tokens + excluded.output_tokens,
           embed_calls = usage_totals.embed_calls + excluded.embed_calls,
           updated_at = excluded.updated_at`,
        [
          tenant,
          scope.userId ?? '',
          scope.agentId ?? '',
          scope.runId ?? '',
          delta.llmCalls,
          delta.inputTokens,
          delta.outputTokens,
          delta.embedCalls,
          at,
        ],
      ),
    );
  }

  async usageTotals(
    tenant: string,
    scope: { userId?: string | null; agentId?: string | null; runId?: string | null },
  ): Promise<UsageTotals[]> {
    const parts = ['tenant = $1'];
    const params: string[] = [tenant];
    for (const [column, value] of [
      ['user_id', scope.userId],
      ['agent_id', scope.agentId],
      ['run_id', scope.runId],
    ] as const) {
      if (value) {
        params.push(value);
        parts.push(`${column} = $${params.length}`);
      }
    }
    const rows = await this.#connection.withClient((q) =>
      q.rows<UsageRow>(
        `SELECT * FROM usage_totals WHERE ${parts.join(' AND ')} ORDER BY updated_at DESC`,
        params,
      ),
    );
    return rows.map(toUsageTotals);
  }
}
