import { Hono } from 'hono';
import { z } from 'zod';
import type { AuditEntry } from '../../spec/audit-log.js';
import type { AppEnv } from '../app-env.js';
import { parseQuery } from '../parse-input.js';

const instant = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { error: 'expected an ISO 8601 time' });

export const auditQuerySchema = z.strictObject({
  since: instant.optional().describe('Entries at or after this instant.'),
  until: instant.optional().describe('Entries before this instant.'),
  key_id: z.string().min(1).optional().describe('Only calls made with this API key id.'),
  operation: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .describe('Only this operation (memory.add, memory.search, …).'),
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Most entries (default 100).'),
  cursor: z.string().optional(),
});

/** An entry on the wire (snake_case, like every other item). */
export function renderAuditEntry(e: AuditEntry) {
  return {
    id: e.id,
    at: e.at,
    tenant: e.tenant,
    key_id: e.keyId,
    actor: e.actor,
    channel: e.channel,
    operation: e.operation,
    user_id: e.userId,
    agent_id: e.agentId,
    run_id: e.runId,
    target_ids: e.targetIds,
    counts: e.counts,
    outcome: e.outcome,
  };
}

/** `GET /audit`: the tenant's audit log, newest first, for admin keys (a pinned admin: its pin only). */
export function auditRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/audit', async (c) => {
    const q = parseQuery(c, auditQuerySchema);
    // auditLog refuses non-admin keys (admin_required) and is itself recorded as audit.list.
    const page = await c.get('scoped').auditLog({
      since: q.since,
      until: q.until,
      keyId: q.key_id,
      operation: q.operation,
      limit: q.limit ?? 100,
      cursor: q.cursor,
    });
    return c.json({ results: page.items.map(renderAuditEntry), next_cursor: page.nextCursor });
  });
  return app;
}
