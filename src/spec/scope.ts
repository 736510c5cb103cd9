/** Who a memory belongs to. At least one of userId, agentId, runId is set on every memory. */
export interface Scope {
  tenant: string;
  userId?: string | null | undefined;
  agentId?: string | null | undefined;
  runId?: string | null | undefined;
}
