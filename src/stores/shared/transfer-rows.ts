import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue, Metadata } from '../../spec/memory-record.js';
import type {
  JobRowOut,
  KeyRowOut,
  MemoryBundle,
  MessageRowOut,
  UsageRowOut,
} from '../../spec/store-transfer.js';
import { jsonColumn } from './json-column.js';
import type { MemoryRow } from './row-mapping.js';

/*
 * Rows of either backend in the neutral shape of `engram migrate`. Both backends name their
 * columns alike; they differ only in how values arrive (SQLite: JSON as text, booleans as 0/1;
 * PostgreSQL: jsonb parsed, real booleans), which these mappers absorb, so the two export the
 * same bundles by construction.
 */

/** A memory_versions row with its vector (SQLite: a float32 blob; PostgreSQL: pgvector text). */
export interface VersionTransferRow {
  seq: number;
  version: number;
  text: string;
  hash: string;
  valid_from: string;
  valid_to: string | null;
  created_at: string;
  expired_at: string | null;
  embedding_model: string | null;
  indexed: number | boolean;
}

export interface HistoryTransferRow {
  event: string;
  old_text: string | null;
  new_text: string | null;
  actor: string | null;
  reason: string | null;
  at: string;
  version: number;
}

export function toBundle(
  row: MemoryRow,
  versions: { row: VersionTransferRow; embedding: number[] | null }[],
  history: HistoryTransferRow[],
): MemoryBundle {
  return {
    id: row.id,
    tenant: row.tenant,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    actorId: row.actor_id,
    role: row.role,
    metadata: jsonColumn<Metadata>(row.metadata),
    categories: jsonColumn<string[]>(row.categories),
    importance: row.importance,
    memoryType: row.memory_type,
    state: row.state,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    validTo: row.valid_to,
    expiredAt: row.expired_at,
    supersededBy: row.superseded_by,
    source: jsonColumn<string[]>(row.source),
    accessCount: row.access_count,
    lastAccessedAt: row.last_accessed_at,
    version: row.version,
    versions: versions.map(({ row: v, embedding }) => ({
      version: v.version,
      text: v.text,
      hash: v.hash,
      validFrom: v.valid_from,
      validTo: v.valid_to,
      recordedAt: v.created_at,
      expiredAt: v.expired_at,
      embeddingModel: v.embedding_model,
      indexed: flag(v.indexed),
      embedding,
    })),
    history: history.map((h) => ({
      event: h.event,
      oldText: h.old_text,
      newText: h.new_text,
      actor: h.actor,
      reason: h.reason,
      at: h.at,
      version: h.version,
    })),
  };
}

/** The version a bundle shows (its number is `bundle.version`); a bundle without it is refused. */
export function currentVersion(bundle: MemoryBundle): MemoryBundle['versions'][number] {
  const current = bundle.versions.find((v) => v.version === bundle.version);
  if (!current) {
    throw new MemoryError(
      'store_error',
      `Memory ${bundle.id} came from the source without its current version ${bundle.version}, so it cannot be copied. Run \`engram doctor\` on the source.`,
      { details: { id: bundle.id, version: bundle.version } },
    );
  }
  return current;
}

/** An active memory of the target holds the same text in the same scope under another id. */
export function activeTextTaken(bundle: MemoryBundle, other: string): MemoryError {
  return new MemoryError(
    'conflict',
    `The target already holds memory ${other} with the same text and scope as memory ${bundle.id} of the source (tenant ${bundle.tenant}), so the two cannot both be active there. Migrate into an empty store, or delete one of the two and run the migration again.`,
    { details: { id: bundle.id, existing: other, tenant: bundle.tenant } },
  );
}

export interface MessageTransferRow {
  tenant: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  role: string;
  name: string | null;
  content: string;
  event_time: string;
  created_at: string;
  ref: string | null;
}

export function toMessageOut(r: MessageTransferRow): MessageRowOut {
  return {
    tenant: r.tenant,
    userId: r.user_id,
    agentId: r.agent_id,
    runId: r.run_id,
    role: r.role,
    name: r.name,
    content: r.content,
    eventTime: r.event_time,
    createdAt: r.created_at,
    ref: r.ref,
  };
}

export interface KeyTransferRow {
  id: string;
  tenant: string;
  hash: string;
  prefix: string;
  name: string | null;
  user_id: string | null;
  agent_id: string | null;
  admin: number | boolean;
  created_at: string;
  revoked_at: string | null;
}

export function toKeyOut(r: KeyTransferRow): KeyRowOut {
  return {
    id: r.id,
    tenant: r.tenant,
    hash: r.hash,
    prefix: r.prefix,
    name: r.name,
    userId: r.user_id,
    agentId: r.agent_id,
    admin: flag(r.admin),
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

export interface JobTransferRow {
  id: string;
  tenant: string;
  kind: string;
  payload: unknown;
  state: string;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  locked_until: string | null;
  last_error: string | null;
  idempotency_key: string | null;
  result: unknown;
  created_at: string;
  updated_at: string;
}

export function toJobOut(r: JobTransferRow): JobRowOut {
  return {
    id: r.id,
    tenant: r.tenant,
    kind: r.kind,
    payload: jsonColumn<JsonValue>(r.payload),
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    nextAttemptAt: r.next_attempt_at,
    lockedUntil: r.locked_until,
    lastError: r.last_error,
    idempotencyKey: r.idempotency_key,
    result: r.result === null ? null : jsonColumn<JsonValue>(r.result),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export interface UsageTransferRow {
  tenant: string;
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

export function toUsageOut(r: UsageTransferRow): UsageRowOut {
  return {
    tenant: r.tenant,
    userId: r.user_id,
    agentId: r.agent_id,
    runId: r.run_id,
    adds: r.adds,
    llmCalls: r.llm_calls,
    inputTokens: r.input_tokens,
    outputTokens: r.output_tokens,
    embedCalls: r.embed_calls,
    updatedAt: r.updated_at,
  };
}

/** The position a page ends at: its last row's, or null for an empty page (the end). */
export function pageEnd(positions: readonly number[]): number | null {
  return positions.length === 0 ? null : (positions[positions.length - 1] ?? null);
}

function flag(value: number | boolean): boolean {
  return value === true || value === 1;
}
