import type { AuditChannel, AuditEntry, AuditQuery, NewAuditEntry } from '../../spec/audit-log.js';
import { MemoryError } from '../../spec/memory-error.js';
import { decodeCursor } from './cursor.js';

/** An audit_log row as both SQL backends hand it over (SQLite: JSON as text; PostgreSQL: parsed jsonb). */
export interface AuditRow {
  seq: number | string;
  tenant: string;
  at: string;
  key_id: string | null;
  actor: string | null;
  channel: string;
  operation: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  target_ids: string | string[];
  counts: string | Record<string, number> | null;
  outcome: string;
}

export const MAX_AUDIT_PAGE = 1000;

export function toAuditEntry(row: AuditRow): AuditEntry {
  const targets = typeof row.target_ids === 'string' ? JSON.parse(row.target_ids) : row.target_ids;
  const counts = typeof row.counts === 'string' ? JSON.parse(row.counts) : row.counts;
  return {
    id: String(row.seq),
    tenant: row.tenant,
    at: new Date(row.at).toISOString(),
    keyId: row.key_id,
    actor: row.actor,
    channel: row.channel as AuditChannel,
    operation: row.operation,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    targetIds: targets as string[],
    counts: counts as Record<string, number> | null,
    outcome: row.outcome,
  };
}

/** The values of one entry in column order (tenant … outcome), JSON columns as text. */
export function auditValues(entry: NewAuditEntry): unknown[] {
  return [
    entry.tenant,
    isoInstant(entry.at, 'at'),
    entry.keyId,
    entry.actor,
    entry.channel,
    entry.operation,
    entry.userId,
    entry.agentId,
    entry.runId,
    JSON.stringify(entry.targetIds.map(String)),
    entry.counts === null ? null : JSON.stringify(numbersOnly(entry.counts)),
    entry.outcome,
  ];
}

export const AUDIT_COLUMNS =
  'tenant, at, key_id, actor, channel, operation, user_id, agent_id, run_id, target_ids, counts, outcome';

/** A checked query: times as canonical ISO instants (so text comparison in SQLite is by time). */
export interface CheckedAuditQuery {
  since: string | null;
  until: string | null;
  keyId: string | null;
  operation: string | null;
  userId: string | null;
  agentId: string | null;
  limit: number;
  /** Entries with a sequence below this one (the cursor), or null. */
  before: number | null;
}

export function checkAuditQuery(query: AuditQuery): CheckedAuditQuery {
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > MAX_AUDIT_PAGE) {
    throw new MemoryError(
      'invalid_input',
      `The audit page limit must be a whole number from 1 to ${MAX_AUDIT_PAGE}, got ${String(query.limit)}.`,
      { details: { field: 'limit' } },
    );
  }
  return {
    since: query.since === undefined ? null : isoInstant(query.since, 'since'),
    until: query.until === undefined ? null : isoInstant(query.until, 'until'),
    keyId: query.keyId ?? null,
    operation: query.operation ?? null,
    userId: query.userId ?? null,
    agentId: query.agentId ?? null,
    limit: query.limit,
    before: query.cursor === undefined ? null : decodeCursor(query.cursor),
  };
}

/** The filters of a checked query as [column, operator, value] (tenant first), in one order for both backends. */
export function auditConditions(tenant: string, q: CheckedAuditQuery): [string, string, unknown][] {
  const conditions: [string, string, unknown][] = [['tenant', '=', tenant]];
  if (q.since !== null) conditions.push(['at', '>=', q.since]);
  if (q.until !== null) conditions.push(['at', '<', q.until]);
  if (q.keyId !== null) conditions.push(['key_id', '=', q.keyId]);
  if (q.operation !== null) conditions.push(['operation', '=', q.operation]);
  if (q.userId !== null) conditions.push(['user_id', '=', q.userId]);
  if (q.agentId !== null) conditions.push(['agent_id', '=', q.agentId]);
  if (q.before !== null) conditions.push(['seq', '<', q.before]);
  return conditions;
}

export function isoInstant(value: string, field: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new MemoryError('invalid_input', `${field} must be an ISO 8601 time, got "${value}".`, {
      details: { field },
    });
  }
  return new Date(ms).toISOString();
}

/** Counts are numbers; anything else would be a way to smuggle content into the log. */
function numbersOnly(counts: Record<string, number>): Record<string, number> {
  for (const [name, value] of Object.entries(counts)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new MemoryError('invalid_input', `Audit count "${name}" must be a number.`);
    }
  }
  return counts;
}
