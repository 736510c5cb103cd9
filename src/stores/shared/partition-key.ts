/**
 * Vectors are partitioned by tenant and owner so a scoped KNN scans only that owner's vectors.
 * The owner is the user when there is one, else the agent, else the run — the id a query
 * almost always pins.
 */
export function partitionKey(
  tenant: string,
  ids: { userId?: string | null; agentId?: string | null; runId?: string | null },
): string {
  if (ids.userId) return `${tenant}\u001fu\u001f${ids.userId}`;
  if (ids.agentId) return `${tenant}\u001fa\u001f${ids.agentId}`;
  return `${tenant}\u001fr\u001f${ids.runId ?? ''}`;
}

/** The partition a query can be confined to, or null when its scope spans partitions. */
export function queryPartition(
  tenant: string,
  pinned: { user_id?: string; agent_id?: string; run_id?: string },
): string | null {
  if (pinned.user_id) return partitionKey(tenant, { userId: pinned.user_id });
  // Without a user id, memories of one agent may sit in many users' partitions.
  return null;
}
