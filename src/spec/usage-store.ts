/** Running totals of what adds have cost, per tenant and scope. */
export interface UsageTotals {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  adds: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  embedCalls: number;
  updatedAt: string;
}

export interface UsageDelta {
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  embedCalls: number;
}

export interface UsageStore {
  recordUsage(
    tenant: string,
    scope: { userId: string | null; agentId: string | null; runId: string | null },
    delta: UsageDelta,
    at: string,
  ): Promise<void>;
  /** Totals of the scopes matching the given ids (all scopes of the tenant when none is given). */
  usageTotals(
    tenant: string,
    scope: { userId?: string | null; agentId?: string | null; runId?: string | null },
  ): Promise<UsageTotals[]>;
}
