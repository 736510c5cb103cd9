import type { ApiKeyRecord } from '../../spec/api-key.js';
import type { JobLease, JobRecord, JobState } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue, MemoryRecord } from '../../spec/memory-record.js';
import type { NewMemory } from '../../spec/store.js';
import type { UsageTotals } from '../../spec/usage-store.js';

/*
 * Rows both SQL backends read the same way, and the errors and records they build from them.
 * Columns differ only in how the driver hands them over: SQLite gives JSON as text and booleans
 * as 0/1, PostgreSQL parsed jsonb and real booleans.
 */

/** A whole number of rows to skip; anything else is the caller's bug, said plainly. */
export function checkOffset(offset: number | undefined): number {
  if (offset === undefined) return 0;
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new MemoryError('invalid_input', `offset must be a whole number ≥ 0, got ${String(offset)}.`);
  }
  return offset;
}

/** The record of a memory just inserted (version 1), as reading its row back would give it. */
export function newRecord(tenant: string, m: NewMemory): MemoryRecord {
  return {
    id: m.id,
    tenant,
    userId: m.userId,
    agentId: m.agentId,
    runId: m.runId,
    actorId: m.actorId ?? null,
    role: m.role ?? null,
    text: m.text,
    hash: m.hash,
    metadata: structuredClone(m.metadata),
    categories: [...(m.categories ?? [])],
    importance: m.importance,
    memoryType: m.memoryType,
    state: 'active',
    version: 1,
    validFrom: m.validFrom,
    validTo: null,
    createdAt: m.at,
    updatedAt: m.at,
    recordedAt: m.at,
    expiredAt: null,
    supersededBy: null,
    source: [...(m.source ?? [])],
    accessCount: 0,
    lastAccessedAt: null,
    embeddingModel: m.embedding ? m.embeddingModel : null,
  };
}

export interface KeyRow {
  id: string;
  tenant: string;
  name: string | null;
  prefix: string;
  user_id: string | null;
  agent_id: string | null;
  admin: number | boolean;
  created_at: string;
  revoked_at: string | null;
}

export const KEY_COLUMNS = 'id, tenant, name, prefix, user_id, agent_id, admin, created_at, revoked_at';

export function toKey(row: KeyRow): ApiKeyRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    name: row.name,
    prefix: row.prefix,
    userId: row.user_id,
    agentId: row.agent_id,
    admin: row.admin === true || row.admin === 1,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export interface UsageRow {
  user_id: string;
  agent_id: string;
  run_id: string;
  adds: number;
  llm_calls: number;
  input_tokens: number;
  output_tokens: number;
  embed_calls: number;
  updated_at: string;
}

/** Absent ids are stored as '' (so the key is unique) and read back as null. */
export function toUsageTotals(r: UsageRow): UsageTotals {
  return {
    userId: r.user_id || null,
    agentId: r.agent_id || null,
    runId: r.run_id || null,
    adds: r.adds,
    llmCalls: r.llm_calls,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    embedCalls: r.embed_calls,
    updatedAt: r.updated_at,
  };
}

/** A jobs row; `payload` and `result` are JSON text (SQLite) or parsed jsonb (PostgreSQL). */
export interface JobRow<Json = string> {
  id: string;
  tenant: string;
  kind: string;
  payload: Json;
  state: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  idempotency_key: string | null;
  result: Json | null;
  created_at: string;
  updated_at: string;
}

/**
 * `json` turns the stored payload into its value: JSON.parse for text; the identity for jsonb
 * (not jsonColumn: a payload that is a JSON string arrives as that string and must stay one).
 */
export function toJob<Json>(row: JobRow<Json>, json: (value: Json) => JsonValue): JobRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    kind: row.kind,
    payload: json(row.payload),
    state: row.state as JobState,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    nextAttemptAt: row.next_attempt_at,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    idempotencyKey: row.idempotency_key,
    result: row.result === null ? null : json(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A lease-checked write of a job that another claim took over (or that finished). */
export function leaseLost(
  row: { state: string; attempts: number } | undefined,
  lease: JobLease,
): MemoryError {
  const now =
    row === undefined ? 'gone' : row.state === 'running' ? `running attempt ${row.attempts}` : row.state;
  return new MemoryError(
    'lease_lost',
    `Job ${lease.id} is no longer leased by this worker (attempt ${lease.attempt}; the job is now ${now}): ` +
      "another worker took it over after the lease ran out, so this run's result was not saved.",
    {
      details: {
        id: lease.id,
        attempt: lease.attempt,
        state: row?.state ?? null,
        attempts: row?.attempts ?? null,
      },
    },
  );
}
