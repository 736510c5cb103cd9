import type {
  JobRowOut,
  KeyRowOut,
  MemoryBundle,
  MessageRowOut,
  StoreTransfer,
  TransferCounts,
  TransferKind,
  TransferPage,
  TransferRows,
  UsageRowOut,
} from '../../spec/store-transfer.js';
import { partitionKey } from '../shared/partition-key.js';
import type { MemoryRow } from '../shared/row-mapping.js';
import {
  activeTextTaken,
  currentVersion,
  type HistoryTransferRow,
  type JobTransferRow,
  type KeyTransferRow,
  type MessageTransferRow,
  pageEnd,
  toBundle,
  toJobOut,
  toKeyOut,
  toMessageOut,
  toUsageOut,
  type UsageTransferRow,
  type VersionTransferRow,
} from '../shared/transfer-rows.js';
import type { PgConnection, PgQuery } from './pg-connection.js';
import { vectorLiteral } from './pg-sql.js';
import type { PgVectors } from './pg-vectors.js';

type Positioned<T> = T & { position: number };

/** One column of a bulk insert: its name, its PostgreSQL array type and how a row gives its value. */
type Column<T> = readonly [name: string, type: string, value: (row: T) => unknown];

/**
 * `FROM unnest($1::text[], …) WITH ORDINALITY AS r(…, ord)`: a whole page in one statement
 * instead of a round trip per row; `ORDER BY r.ord` keeps the page's order (and so its seqs).
 */
function unnest<T>(rows: readonly T[], columns: readonly Column<T>[], offset = 0) {
  return {
    from: `unnest(${columns.map(([, type], i) => `$${offset + i + 1}::${type}[]`).join(', ')})
      WITH ORDINALITY AS r(${columns.map(([name]) => name).join(', ')}, ord)`,
    names: columns.map(([name]) => name).join(', '),
    params: columns.map(([, , value]) => rows.map(value)),
  };
}

const json = (value: unknown) => JSON.stringify(value);

/**
 * `engram migrate` on a PostgreSQL schema: pages of every kind in row order (memories by seq, with
 * all their versions, vectors and history; usage by its key, positions counted), and idempotent
 * imports, each one transaction of a few bulk statements that also records how far it got.
 * Imported rows get new seqs; what they say (texts, both time axes, events) is copied as stored.
 */
export class PgTransfer implements StoreTransfer {
  readonly #connection: PgConnection;
  readonly #vectors: PgVectors;

  constructor(connection: PgConnection, vectors: PgVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
  }

  async counts(): Promise<TransferCounts> {
    return this.#connection.read(async (q) => {
      const row = await q.one<TransferCounts>(
        `SELECT (SELECT count(*) FROM memories) AS memories, (SELECT count(*) FROM messages) AS messages,
           (SELECT count(*) FROM api_keys) AS keys, (SELECT count(*) FROM jobs) AS jobs,
           (SELECT count(*) FROM usage_totals) AS usage`,
      );
      return row ?? { memories: 0, messages: 0, keys: 0, jobs: 0, usage: 0 };
    });
  }

  async exportRows<K extends TransferKind>(kind: K, after: number, limit: number): Promise<TransferPage<K>> {
    return this.#connection.read(async (q) => {
      const page = await this.#page(q, kind, after, limit);
      return { rows: page.map(({ position: _, ...row }) => row), next: pageEnd(page.map((r) => r.position)) };
    }) as Promise<TransferPage<K>>;
  }

  async #page(
    q: PgQuery,
    kind: TransferKind,
    after: number,
    limit: number,
  ): Promise<Positioned<TransferRows[TransferKind]>[]> {
    const rows = <T>(table: string) =>
      q.rows<Positioned<T>>(`SELECT *, seq AS position FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [
        after,
        limit,
      ]);
    switch (kind) {
      case 'memories':
        return this.#bundles(q, await rows<MemoryRow>('memories'));
      case 'messages':
        return (await rows<MessageTransferRow>('messages')).map((r) => ({
          ...toMessageOut(r),
          position: r.position,
        }));
      case 'keys':
        return (await rows<KeyTransferRow>('api_keys')).map((r) => ({
          ...toKeyOut(r),
          position: r.position,
        }));
      case 'jobs':
        return (await rows<JobTransferRow>('jobs')).map((r) => ({ ...toJobOut(r), position: r.position }));
      case 'usage': {
        // usage_totals has no seq: the position is the number of rows before, in key order.
        const usage = await q.rows<UsageTransferRow>(
          'SELECT * FROM usage_totals ORDER BY tenant, user_id, agent_id, run_id OFFSET $1 LIMIT $2',
          [after, limit],
        );
        return usage.map((r, i) => ({ ...toUsageOut(r), position: after + i + 1 }));
      }
    }
  }

  async #bundles(q: PgQuery, memories: Positioned<MemoryRow>[]): Promise<Positioned<MemoryBundle>[]> {
    if (memories.length === 0) return [];
    const versions = await q.rows<VersionTransferRow & { memory_id: string; vector: string | null }>(
      `SELECT v.seq, v.memory_id, v.version, v.text, v.hash, v.valid_from, v.valid_to, v.created_at, v.expired_at,
         v.embedding_model, v.indexed, e.embedding::text AS vector
       FROM memory_versions v LEFT JOIN memory_vectors e ON e.version_seq = v.seq
       WHERE v.memory_id = ANY($1::text[]) ORDER BY v.memory_id, v.version`,
      [memories.map((m) => m.id)],
    );
    const history = await q.rows<HistoryTransferRow & { memory_id: string }>(
      `SELECT h.memory_id, h.event, h.old_text, h.new_text, h.actor, h.reason, h.at, h.version
       FROM history h JOIN unnest($1::text[], $2::text[]) AS k(tenant, id) ON h.tenant = k.tenant AND h.memory_id = k.id
       ORDER BY h.seq`,
      [memories.map((m) => m.tenant), memories.map((m) => m.id)],
    );
    const versionsOf = groupBy(versions, (v) => v.memory_id);
    const historyOf = groupBy(history, (h) => h.memory_id);
    return memories.map((m) => {
      const withVectors = (versionsOf.get(m.id) ?? []).map(({ vector, memory_id: _, ...row }) => ({
        row,
        // pgvector's text form "[0.1,0.2]" is JSON; float4 values print exactly.
        embedding: vector === null ? null : (JSON.parse(vector) as number[]),
      }));
      return { ...toBundle(m, withVectors, historyOf.get(m.id) ?? []), position: m.position };
    });
  }

  async importRows<K extends TransferKind>(
    kind: K,
    rows: TransferRows[K][],
    progress: { key: string; position: number },
  ): Promise<number> {
    try {
      return await this.#connection.write(async (q) => {
        const written = await this.#import(q, kind, rows);
        await q.run(
          'INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
          [progress.key, String(progress.position)],
        );
        return written;
      });
    } catch (error) {
      // A rolled-back write may have fixed the vector width this process now remembers.
      this.#vectors.forget();
      throw error;
    }
  }

  async #import(q: PgQuery, kind: TransferKind, rows: TransferRows[TransferKind][]): Promise<number> {
    if (rows.length === 0) return 0;
    switch (kind) {
      case 'memories':
        return this.#importBundles(q, rows as MemoryBundle[]);
      case 'messages':
        return this.#importMessages(q, rows as MessageRowOut[]);
      case 'keys':
        return this.#importKeys(q, rows as KeyRowOut[]);
      case 'jobs':
        return this.#importJobs(q, rows as JobRowOut[]);
      case 'usage':
        return this.#importUsage(q, rows as UsageRowOut[]);
    }
  }

  /** Bundles whose id is already there are skipped (a resumed or repeated migration). */
  async #importBundles(q: PgQuery, bundles: MemoryBundle[]): Promise<number> {
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
    await this.#refuseTakenTexts(q, fresh, current);

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
      await this.#vectors.ensure(q, first.length);
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
      await q.run(
        `INSERT INTO history(${h.names}) SELECT ${h.names} FROM ${h.from} ORDER BY r.ord`,
        h.params,
      );
    }
    return fresh.length;
  }

  /** An active memory whose text the target already holds active in its scope (under another id). */
  async #refuseTakenTexts(
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
  async #importMessages(q: PgQuery, rows: MessageRowOut[]): Promise<number> {
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

  async #importKeys(q: PgQuery, rows: KeyRowOut[]): Promise<number> {
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

  async #importJobs(q: PgQuery, rows: JobRowOut[]): Promise<number> {
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
  async #importUsage(q: PgQuery, rows: UsageRowOut[]): Promise<number> {
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

  async progress(key: string): Promise<number> {
    const row = await this.#connection.withClient((q) =>
      q.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]),
    );
    const position = Number(row?.value ?? 0);
    return Number.isFinite(position) ? position : 0;
  }
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const group = groups.get(key(row));
    if (group) group.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}
