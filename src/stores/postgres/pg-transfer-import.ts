import type {
  JobRowOut,
  KeyRowOut,
  MemoryBundle,
  MessageRowOut,
  UsageRowOut,
} from '../../spec/store-transfer.js';
import { partitionKey } from '../shared/partition-key.js';
import { activeTextTaken, currentVersion } from '../shared/transfer-rows.js';
import type { PgQuery } from './pg-connection.js';
import { vectorLiteral } from './pg-sql.js';
import type { PgVectors } from './pg-vectors.js';

/*
 * The import half of PgTransfer: each kind's page written in a few bulk statements inside the
 * caller's transaction, skipping what is already there (memories, keys and jobs by id; usage
 * replaced). Imported rows get new seqs; what they say is copied as stored.
 */

/** One column of a bulk insert: its name, its PostgreSQL array type and how a row gives its value. */
export type Column<T> = readonly [name: string, type: string, value: (row: T) => unknown];

/**
 * `FROM unnest($1::text[], …) WITH ORDINALITY AS r(…, ord)`: a whole page in one statement
 * instead of a round trip per row; `ORDER BY r.ord` keeps the page's order (and so its seqs).
 */
export function unnest<T>(rows: readonly T[], columns: readonly Column<T>[], offset = 0) {
  return {
    from: `unnest(${columns.map(([, type], i) => `$${offset + i + 1}::${type}[]`).join(', ')})
      WITH ORDINALITY AS r(${columns.map(([name]) => name).join(', ')}, ord)`,
    names: columns.map(([name]) => name).join(', '),
    params: columns.map(([, , value]) => rows.map(value)),
  };
}

const json = (value: unknown) => JSON.stringify(value);

/** Bundles whose id is already there are skipped (a resumed or repeated migration). */
export async function importBundles(q: PgQuery, index: PgVectors, bundles: MemoryBundle[]): Promise<number> {
  const present = new Set(
    (
      await q.rows<{ id: string }>('SELECT id FROM memories WHERE id = ANY($1::text[])', [
        bundles.map((b) => b.id),
      ])
    ).map((r) => r.id),
  );
  const fresh = bundles.filter((b) => !present.has(b.id));
  if (fresh.length === 0) return 0;
  const current = new Map(fresh.map((b) => [b.id, currentVersion(b)] as const));
  await refuseTakenTexts(q, fresh, current);

  const versions = fresh.flatMap((b) =>
    [...b.versions]
      .sort((x, y) => x.version - y.version)
      .map((v) => ({ ...v, memoryId: b.id, tenant: b.tenant, partition: partitionKey(b.tenant, b) })),
  );
  type V = (typeof versions)[number];
  const v = unnest<V>(versions, [
    ['memory_id', 'text', (r) => r.memoryId],
    ['tenant', 'text', (r) => r.tenant],
    ['partition_key', 'text', (r) => r.partition],
    ['version', 'int', (r) => r.version],
    ['text', 'text', (r) => r.text],
    ['hash', 'text', (r) => r.hash],
    ['valid_from', 'timestamptz', (r) => r.validFrom],
    ['valid_to', 'timestamptz', (r) => r.validTo],
    ['created_at', 'timestamptz', (r) => r.recordedAt],
    ['expired_at', 'timestamptz', (r) => r.expiredAt],
    ['embedding_model', 'text', (r) => r.embeddingModel],
    ['indexed', 'boolean', (r) => r.indexed],
  ]);
  const seqs = await q.rows<{ seq: number; memory_id: string; version: number }>(
    `INSERT INTO memory_versions(${v.names}) SELECT ${v.names} FROM ${v.from} ORDER BY r.ord
     RETURNING seq, memory_id, version`,
    v.params,
  );
  const seqOf = new Map(seqs.map((r) => [`${r.memory_id}\u0000${r.version}`, r.seq]));
  const seqFor = (id: string, version: number) => seqOf.get(`${id}\u0000${version}`) ?? 0;

  // A deleted memory's versions carry no vector (delete removes them from every index).
  const vectors = versions.filter((r) => r.embedding && r.indexed);
  const first = vectors[0]?.embedding;
  if (first) {
    await index.ensure(q, first.length);
    const e = unnest<V>(vectors, [
      ['version_seq', 'bigint', (r) => seqFor(r.memoryId, r.version)],
      ['partition_key', 'text', (r) => r.partition],
      ['embedding', 'vector', (r) => vectorLiteral(Float32Array.from(r.embedding ?? []))],
    ]);
    await q.run(`INSERT INTO memory_vectors(${e.names}) SELECT ${e.names} FROM ${e.from}`, e.params);
  }

  const m = unnest<MemoryBundle>(fresh, [
    ['id', 'text', (b) => b.id],
    ['tenant', 'text', (b) => b.tenant],
    ['partition_key', 'text', (b) => partitionKey(b.tenant, b)],
    ['user_id', 'text', (b) => b.userId],
    ['agent_id', 'text', (b) => b.agentId],
    ['run_id', 'text', (b) => b.runId],
    ['actor_id', 'text', (b) => b.actorId],
    ['role', 'text', (b) => b.role],
    ['text', 'text', (b) => current.get(b.id)?.text],
    ['hash', 'text', (b) => current.get(b.id)?.hash],
    ['metadata', 'jsonb', (b) => json(b.metadata)],
    ['categories', 'jsonb', (b) => json(b.categories)],
    ['importance', 'float8', (b) => b.importance],
    ['memory_type', 'text', (b) => b.memoryType],
    ['state', 'text', (b) => b.state],
    ['valid_from', 'timestamptz', (b) => current.get(b.id)?.validFrom],
    ['valid_to', 'timestamptz', (b) => b.validTo],
    ['created_at', 'timestamptz', (b) => b.createdAt],
    ['updated_at', 'timestamptz', (b) => b.updatedAt],
    ['expired_at', 'timestamptz', (b) => b.expiredAt],
    ['superseded_by', 'text', (b) => b.supersededBy],
    ['source', 'jsonb', (b) => json(b.source)],
    ['access_count', 'bigint', (b) => b.accessCount],
    ['last_accessed_at', 'timestamptz', (b) => b.lastAccessedAt],
    ['embedding_model', 'text', (b) => current.get(b.id)?.embeddingModel ?? null],
    ['version', 'int', (b) => b.version],
    ['version_seq', 'bigint', (b) => seqFor(b.id, b.version)],
  ]);
  await q.run(`INSERT INTO memories(${m.names}) SELECT ${m.names} FROM ${m.from} ORDER BY r.ord`, m.params);

  const events = fresh.flatMap((b) => b.history.map((h) => ({ ...h, tenant: b.tenant, memoryId: b.id })));
  if (events.length > 0) {
    const h = unnest<(typeof events)[number]>(events, [
      ['tenant', 'text', (r) => r.tenant],
      ['memory_id', 'text', (r) => r.memoryId],
      ['event', 'text', (r) => r.event],
      ['old_text', 'text', (r) => r.oldText],
      ['new_text', 'text', (r) => r.newText],
      ['actor', 'text', (r) => r.actor],
      ['reason', 'text', (r) => r.reason],
      ['at', 'timestamptz', (r) => r.at],
      ['version', 'int', (r) => r.version],
    ]);
    await q.run(`INSERT INTO history(${h.names}) SELECT ${h.names} FROM ${h.from} ORDER BY r.ord`, h.params);
  }
  return fresh.length;
}

/** An active memory whose text the target already holds active in its scope (under another id). */
async function refuseTakenTexts(
  q: PgQuery,
  fresh: MemoryBundle[],
  current: Map<string, MemoryBundle['versions'][number]>,
): Promise<void> {
  const active = fresh.filter((b) => b.state === 'active');
  if (active.length === 0) return;
  const k = unnest<MemoryBundle>(active, [
    ['id', 'text', (b) => b.id],
    ['tenant', 'text', (b) => b.tenant],
    ['user_id', 'text', (b) => b.userId ?? ''],
    ['agent_id', 'text', (b) => b.agentId ?? ''],
    ['run_id', 'text', (b) => b.runId ?? ''],
    ['hash', 'text', (b) => current.get(b.id)?.hash],
  ]);
  const taken = await q.one<{ incoming: string; existing: string }>(
    // Written to match the partial unique index memories_active_text.
    `SELECT r.id AS incoming, m.id AS existing FROM ${k.from}
     JOIN memories m ON m.tenant = r.tenant AND coalesce(m.user_id, '') = r.user_id
       AND coalesce(m.agent_id, '') = r.agent_id AND coalesce(m.run_id, '') = r.run_id AND m.hash = r.hash
       AND m.state = 'active'
     LIMIT 1`,
    k.params,
  );
  const bundle = taken && active.find((b) => b.id === taken.incoming);
  if (taken && bundle) throw activeTextTaken(bundle, taken.existing);
}

/** Messages have no id: a page is never sent twice (the progress mark), and a known ref is skipped. */
export async function importMessages(q: PgQuery, rows: MessageRowOut[]): Promise<number> {
  const m = unnest<MessageRowOut>(rows, [
    ['tenant', 'text', (r) => r.tenant],
    ['user_id', 'text', (r) => r.userId],
    ['agent_id', 'text', (r) => r.agentId],
    ['run_id', 'text', (r) => r.runId],
    ['role', 'text', (r) => r.role],
    ['name', 'text', (r) => r.name],
    ['content', 'text', (r) => r.content],
    ['event_time', 'timestamptz', (r) => r.eventTime],
    ['created_at', 'timestamptz', (r) => r.createdAt],
    ['ref', 'text', (r) => r.ref],
  ]);
  return q.run(
    `INSERT INTO messages(${m.names}) SELECT ${m.names} FROM ${m.from} ORDER BY r.ord ON CONFLICT DO NOTHING`,
    m.params,
  );
}

export async function importKeys(q: PgQuery, rows: KeyRowOut[]): Promise<number> {
  const k = unnest<KeyRowOut>(rows, [
    ['id', 'text', (r) => r.id],
    ['tenant', 'text', (r) => r.tenant],
    ['hash', 'text', (r) => r.hash],
    ['prefix', 'text', (r) => r.prefix],
    ['name', 'text', (r) => r.name],
    ['user_id', 'text', (r) => r.userId],
    ['agent_id', 'text', (r) => r.agentId],
    ['admin', 'boolean', (r) => r.admin],
    ['created_at', 'timestamptz', (r) => r.createdAt],
    ['revoked_at', 'timestamptz', (r) => r.revokedAt],
  ]);
  return q.run(
    `INSERT INTO api_keys(${k.names}) SELECT ${k.names} FROM ${k.from} ORDER BY r.ord ON CONFLICT DO NOTHING`,
    k.params,
  );
}

export async function importJobs(q: PgQuery, rows: JobRowOut[]): Promise<number> {
  const j = unnest<JobRowOut>(rows, [
    ['id', 'text', (r) => r.id],
    ['tenant', 'text', (r) => r.tenant],
    ['kind', 'text', (r) => r.kind],
    ['payload', 'jsonb', (r) => json(r.payload)],
    ['state', 'text', (r) => r.state],
    ['attempts', 'int', (r) => r.attempts],
    ['max_attempts', 'int', (r) => r.maxAttempts],
    ['next_attempt_at', 'timestamptz', (r) => r.nextAttemptAt],
    ['locked_until', 'timestamptz', (r) => r.lockedUntil],
    ['last_error', 'text', (r) => r.lastError],
    ['idempotency_key', 'text', (r) => r.idempotencyKey],
    ['result', 'jsonb', (r) => (r.result === null ? null : json(r.result))],
    ['created_at', 'timestamptz', (r) => r.createdAt],
    ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ]);
  return q.run(
    `INSERT INTO jobs(${j.names}) SELECT ${j.names} FROM ${j.from} ORDER BY r.ord ON CONFLICT DO NOTHING`,
    j.params,
  );
}

/** Totals are replaced: the source's are the whole truth for its scopes. */
export async function importUsage(q: PgQuery, rows: UsageRowOut[]): Promise<number> {
  const u = unnest<UsageRowOut>(rows, [
    ['tenant', 'text', (r) => r.tenant],
    ['user_id', 'text', (r) => r.userId],
    ['agent_id', 'text', (r) => r.agentId],
    ['run_id', 'text', (r) => r.runId],
    ['adds', 'bigint', (r) => r.adds],
    ['llm_calls', 'bigint', (r) => r.llmCalls],
    ['input_tokens', 'bigint', (r) => r.inputTokens],
    ['output_tokens', 'bigint', (r) => r.outputTokens],
    ['embed_calls', 'bigint', (r) => r.embedCalls],
    ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ]);
  return q.run(
    `INSERT INTO usage_totals(${u.names}) SELECT ${u.names} FROM ${u.from} ORDER BY r.ord
     ON CONFLICT (tenant, user_id, agent_id, run_id) DO UPDATE SET adds = excluded.adds,
       llm_calls = excluded.llm_calls, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
       embed_calls = excluded.embed_calls, updated_at = excluded.updated_at`,
    u.params,
  );
}

export function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
