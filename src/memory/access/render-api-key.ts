import type { ApiKeyRecord } from '../../spec/api-key.js';

/** A key as `GET /keys` and `engram keys list --json` show it: snake_case, never the hash. */
export function renderApiKey(k: ApiKeyRecord) {
  return {
    id: k.id,
    tenant: k.tenant,
    name: k.name,
    prefix: k.prefix,
    user_id: k.userId,
    agent_id: k.agentId,
    admin: k.admin,
    created_at: k.createdAt,
    revoked_at: k.revokedAt,
  };
}
