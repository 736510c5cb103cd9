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
import { type MemoryRow, type MessageRow, toStoredMessage } from './row-mapping.js';
import { type JobRow, type KeyRow, toJob, toKey, toUsageTotals, type UsageRow } from './store-rows.js';

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

/** A messages row with its idempotency reference. */
export type MessageTransferRow = Omit<MessageRow, 'seq'> & { ref: string | null };

export function toMessageOut(r: MessageTransferRow): MessageRowOut {
  const { id: _seq, ...message } = toStoredMessage({ ...r, seq: 0 });
  return { ...message, ref: r.ref };
}

/** An api_keys row with its secret's hash (what a migration carries; an export leaves it out). */
export type KeyTransferRow = KeyRow & { hash: string };

export function toKeyOut(r: KeyTransferRow): KeyRowOut {
  return { ...toKey(r), hash: r.hash };
}

/** A jobs row; `json` reads payload and result (JSON.parse for SQLite text, the identity for jsonb). */
export type JobTransferRow<Json = unknown> = JobRow<Json>;

export function toJobOut<Json>(r: JobTransferRow<Json>, json: (value: Json) => JsonValue): JobRowOut {
  return toJob(r, json);
}

/** A usage_totals row; absent ids stay '' (they are part of the key). */
export type UsageTransferRow = UsageRow & { tenant: string };

export function toUsageOut(r: UsageTransferRow): UsageRowOut {
  const totals = toUsageTotals(r);
  return { ...totals, tenant: r.tenant, userId: r.user_id, agentId: r.agent_id, runId: r.run_id };
}

/** The position a page ends at: its last row's, or null for an empty page (the end). */
export function pageEnd(positions: readonly number[]): number | null {
  return positions.length === 0 ? null : (positions[positions.length - 1] ?? null);
}

function flag(value: number | boolean): boolean {
  return value === true || value === 1;
}
