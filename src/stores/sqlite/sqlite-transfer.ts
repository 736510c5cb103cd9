import type { JsonValue } from '../../spec/memory-record.js';
import {
  type GraphTransferKind,
  isGraphTransferKind,
  type JobRowOut,
  type KeyRowOut,
  type MemoryBundle,
  type MessageRowOut,
  type StoreTransfer,
  type TransferCounts,
  type TransferKind,
  type TransferPage,
  type TransferRows,
  type UsageRowOut,
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
import type { SqliteConnection } from './sqlite-connection.js';
import { graphPage, importGraph } from './sqlite-graph-transfer.js';
import type { SqliteVectors } from './sqlite-vectors.js';

type Positioned<T> = T & { position: number };

/**
 * `engram migrate` on a SQLite file: pages of every kind in row order (memories by seq, with all
 * their versions, vectors and history; usage by rowid; the graph in sqlite-graph-transfer.ts), and
 * idempotent imports, each one `connection.write` transaction that also records how far it got.
 * Imported rows get new seqs; what they say (texts, both time axes, events) is copied as stored.
 */
export class SqliteTransfer implements StoreTransfer {
  readonly #connection: SqliteConnection;
  readonly #vectors: () => SqliteVectors;

  constructor(connection: SqliteConnection, vectors: () => SqliteVectors) {
    this.#connection = connection;
    this.#vectors = vectors;
  }

  get #db() {
    return this.#connection.db;
  }

  async counts(): Promise<TransferCounts> {
    const count = (table: string) =>
      (this.#db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return this.#connection.read(() => ({
      memories: count('memories'),
      messages: count('messages'),
      keys: count('api_keys'),
      jobs: count('jobs'),
      usage: count('usage_totals'),
      entities: count('entities'),
      merges: count('entity_merges'),
      relations: count('relations'),
    }));
  }

  async exportRows<K extends TransferKind>(kind: K, after: number, limit: number): Promise<TransferPage<K>> {
    return this.#connection.read(() => {
      const page = this.#page(kind, after, limit);
      return { rows: page.map(({ position: _, ...row }) => row), next: pageEnd(page.map((r) => r.position)) };
    }) as TransferPage<K>;
  }

  #page(kind: TransferKind, after: number, limit: number): Positioned<TransferRows[TransferKind]>[] {
    if (isGraphTransferKind(kind)) return graphPage(this.#connection, kind, after, limit);
    const rows = <T>(sql: string) => this.#db.prepare(sql).all(after, limit) as Positioned<T>[];
    switch (kind) {
      case 'memories':
        return this.#bundles(
          rows<MemoryRow>('SELECT *, seq AS position FROM memories WHERE seq > ? ORDER BY seq LIMIT ?'),
        );
      case 'messages':
        return rows<MessageTransferRow>(
          'SELECT *, seq AS position FROM messages WHERE seq > ? ORDER BY seq LIMIT ?',
        ).map((r) => ({ ...toMessageOut(r), position: r.position }));
      case 'keys':
        return rows<KeyTransferRow>(
          'SELECT *, seq AS position FROM api_keys WHERE seq > ? ORDER BY seq LIMIT ?',
        ).map((r) => ({ ...toKeyOut(r), position: r.position }));
      case 'jobs':
        return rows<JobTransferRow<string>>(
          'SELECT *, seq AS position FROM jobs WHERE seq > ? ORDER BY seq LIMIT ?',
        ).map((r) => ({
          ...toJobOut(r, (text: string) => JSON.parse(text) as JsonValue),
          position: r.position,
        }));
      case 'usage':
        // usage_totals has no seq column; its rowid is as stable.
        return rows<UsageTransferRow>(
          'SELECT *, rowid AS position FROM usage_totals WHERE rowid > ? ORDER BY rowid LIMIT ?',
        ).map((r) => ({ ...toUsageOut(r), position: r.position }));
    }
  }

  #bundles(memories: Positioned<MemoryRow>[]): Positioned<MemoryBundle>[] {
    const versions = this.#db.prepare(
      `SELECT v.*, e.embedding AS blob FROM memory_versions v LEFT JOIN memory_embeddings e ON e.seq = v.seq
       WHERE v.memory_id = ? ORDER BY v.version`,
    );
    const history = this.#db.prepare(
      'SELECT event, old_text, new_text, actor, reason, at, version FROM history WHERE tenant = ? AND memory_id = ? ORDER BY seq',
    );
    return memories.map((m) => {
      const rows = versions.all(m.id) as (VersionTransferRow & { blob: Buffer | null })[];
      const withVectors = rows.map(({ blob, ...row }) => ({ row, embedding: this.#embedding(row, blob) }));
      const events = history.all(m.tenant, m.id) as HistoryTransferRow[];
      return { ...toBundle(m, withVectors, events), position: m.position };
    });
  }

  /** The plain copy; a file from before that copy existed may hold a vector only in vec0. */
  #embedding(row: VersionTransferRow, blob: Buffer | null): number[] | null {
    if (blob === null && row.indexed === 1 && row.embedding_model !== null && this.#vectors().dimensions) {
      const found = this.#db
        .prepare('SELECT embedding FROM memory_vectors WHERE rowid = ?')
        .get(BigInt(row.seq)) as { embedding: Buffer } | undefined;
      blob = found?.embedding ?? null;
    }
    // Copied into a fresh buffer: a blob's offset need not be aligned for a Float32Array view.
    return blob === null ? null : Array.from(new Float32Array(new Uint8Array(blob).buffer));
  }

  async importRows<K extends TransferKind>(
    kind: K,
    rows: TransferRows[K][],
    progress: { key: string; position: number },
  ): Promise<number> {
    return this.#connection.write(() => {
      const written = isGraphTransferKind(kind)
        ? importGraph(this.#connection, kind, rows as TransferRows[GraphTransferKind][], progress.key)
        : this.#import(kind, rows);
      this.#connection.setMeta(progress.key, String(progress.position));
      return written;
    });
  }

  #import(kind: Exclude<TransferKind, GraphTransferKind>, rows: TransferRows[TransferKind][]): number {
    switch (kind) {
      case 'memories':
        return (rows as MemoryBundle[]).filter((b) => this.#importBundle(b)).length;
      case 'messages':
        return this.#importMessages(rows as MessageRowOut[]);
      case 'keys':
        return this.#importKeys(rows as KeyRowOut[]);
      case 'jobs':
        return this.#importJobs(rows as JobRowOut[]);
      case 'usage':
        return this.#importUsage(rows as UsageRowOut[]);
    }
  }

  /** False when a memory with this id is already there (a resumed or repeated migration). */
  #importBundle(b: MemoryBundle): boolean {
    if (this.#db.prepare('SELECT 1 FROM memories WHERE id = ?').get(b.id)) return false;
    const current = currentVersion(b);
    if (b.state === 'active') {
      const other = this.#db
        .prepare(
          // Matches the partial unique index memories_active_text: one index probe.
          `SELECT id FROM memories WHERE tenant = ? AND coalesce(user_id, '') = ? AND coalesce(agent_id, '') = ?
           AND coalesce(run_id, '') = ? AND hash = ? AND state = 'active'`,
        )
        .get(b.tenant, b.userId ?? '', b.agentId ?? '', b.runId ?? '', current.hash) as
        | { id: string }
        | undefined;
      if (other) throw activeTextTaken(b, other.id);
    }
    const partition = partitionKey(b.tenant, b);
    const insertVersion = this.#db.prepare(
      `INSERT INTO memory_versions(memory_id, tenant, partition_key, version, text, hash, valid_from, valid_to,
         created_at, expired_at, embedding_model, indexed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
    );
    let currentSeq = 0;
    for (const v of [...b.versions].sort((x, y) => x.version - y.version)) {
      const { seq } = insertVersion.get(
        b.id,
        b.tenant,
        partition,
        v.version,
        v.text,
        v.hash,
        v.validFrom,
        v.validTo,
        v.recordedAt,
        v.expiredAt,
        v.embeddingModel,
        v.indexed ? 1 : 0,
      ) as { seq: number };
      // A deleted memory's versions carry no vector (delete removes them from every index).
      if (v.embedding && v.indexed) this.#vectors().put(seq, partition, Float32Array.from(v.embedding));
      if (v.version === b.version) currentSeq = seq;
    }
    this.#db
      .prepare(
        `INSERT INTO memories(id, tenant, partition_key, user_id, agent_id, run_id, actor_id, role, text, hash, metadata,
           categories, importance, memory_type, state, valid_from, valid_to, created_at, updated_at, expired_at,
           superseded_by, source, access_count, last_accessed_at, embedding_model, version, version_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        b.id,
        b.tenant,
        partition,
        b.userId,
        b.agentId,
        b.runId,
        b.actorId,
        b.role,
        current.text,
        current.hash,
        JSON.stringify(b.metadata),
        JSON.stringify(b.categories),
        b.importance,
        b.memoryType,
        b.state,
        current.validFrom,
        b.validTo,
        b.createdAt,
        b.updatedAt,
        b.expiredAt,
        b.supersededBy,
        JSON.stringify(b.source),
        b.accessCount,
        b.lastAccessedAt,
        current.embeddingModel,
        b.version,
        currentSeq,
      );
    const insertHistory = this.#db.prepare(
      `INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at, version)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const h of b.history) {
      insertHistory.run(b.tenant, b.id, h.event, h.oldText, h.newText, h.actor, h.reason, h.at, h.version);
    }
    return true;
  }

  /** Messages have no id: a page is never sent twice (the progress mark), and a known ref is skipped. */
  #importMessages(rows: MessageRowOut[]): number {
    const insert = this.#db.prepare(
      `INSERT INTO messages(tenant, user_id, agent_id, run_id, role, name, content, event_time, created_at, ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    let written = 0;
    for (const m of rows) {
      written += insert.run(
        m.tenant,
        m.userId,
        m.agentId,
        m.runId,
        m.role,
        m.name,
        m.content,
        m.eventTime,
        m.createdAt,
        m.ref,
      ).changes;
    }
    return written;
  }

  #importKeys(rows: KeyRowOut[]): number {
    const insert = this.#db.prepare(
      `INSERT INTO api_keys(id, tenant, hash, prefix, name, user_id, agent_id, admin, created_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    let written = 0;
    for (const k of rows) {
      written += insert.run(
        k.id,
        k.tenant,
        k.hash,
        k.prefix,
        k.name,
        k.userId,
        k.agentId,
        k.admin ? 1 : 0,
        k.createdAt,
        k.revokedAt,
      ).changes;
    }
    return written;
  }

  #importJobs(rows: JobRowOut[]): number {
    const insert = this.#db.prepare(
      `INSERT INTO jobs(id, tenant, kind, payload, state, attempts, max_attempts, next_attempt_at, locked_until,
         last_error, idempotency_key, result, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    let written = 0;
    for (const j of rows) {
      written += insert.run(
        j.id,
        j.tenant,
        j.kind,
        JSON.stringify(j.payload),
        j.state,
        j.attempts,
        j.maxAttempts,
        j.nextAttemptAt,
        j.lockedUntil,
        j.lastError,
        j.idempotencyKey,
        j.result === null ? null : JSON.stringify(j.result),
        j.createdAt,
        j.updatedAt,
      ).changes;
    }
    return written;
  }

  /** Totals are replaced: the source's are the whole truth for its scopes. */
  #importUsage(rows: UsageRowOut[]): number {
    const upsert = this.#db.prepare(
      `INSERT INTO usage_totals(tenant, user_id, agent_id, run_id, adds, llm_calls, input_tokens, output_tokens,
         embed_calls, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(tenant, user_id, agent_id, run_id) DO UPDATE SET adds = excluded.adds,
         llm_calls = excluded.llm_calls, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens,
         embed_calls = excluded.embed_calls, updated_at = excluded.updated_at`,
    );
    for (const u of rows) {
      upsert.run(
        u.tenant,
        u.userId,
        u.agentId,
        u.runId,
        u.adds,
        u.llmCalls,
        u.inputTokens,
        u.outputTokens,
        u.embedCalls,
        u.updatedAt,
      );
    }
    return rows.length;
  }

  async progress(key: string): Promise<number> {
    const position = Number(this.#connection.getMeta(key) ?? 0);
    return Number.isFinite(position) ? position : 0;
  }
}
