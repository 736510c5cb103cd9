import Database from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import type { ApiKeyRecord, NewApiKey } from '../../spec/api-key.js';
import type { FilterNode } from '../../spec/filter.js';
import type { JobRecord, JobState, NewJob } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { HistoryEntry, JsonValue, MemoryRecord, StoredMessage } from '../../spec/memory-record.js';
import type { Scope } from '../../spec/scope.js';
import type {
  CandidateQuery,
  Change,
  ChangeOutcome,
  InsertOutcome,
  ListOptions,
  MemoryPatch,
  NewMemory,
  NewMessage,
  Page,
  ScoredId,
  Store,
  StoreStats,
} from '../../spec/store.js';
import type { UsageDelta, UsageTotals } from '../../spec/usage-store.js';
import { pinnedScope } from '../../util/filter-tree.js';
import { type AnnOptions, annIndexFor } from './ann-index.js';
import { compileFilter, type SqlFragment, type SqlParam } from './compile-filter.js';
import { ftsMatchExpression } from './fts-query.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { partitionKey, queryPartition } from './partition-key.js';
import {
  type HistoryRow,
  type MemoryRow,
  type MessageRow,
  toHistoryEntry,
  toMemoryRecord,
  toStoredMessage,
} from './row-mapping.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqliteKeys } from './sqlite-keys.js';
import { SqliteVectors, toBuffer } from './sqlite-vectors.js';
import { cacheStatements } from './statement-cache.js';

export interface SqliteStoreOptions {
  /** File path, or ":memory:". */
  path: string;
  /** Milliseconds to wait for another process's write lock. */
  busyTimeoutMs?: number;
  /** In-process HNSW for large partitions (usearch, optional dependency); false: always exact. */
  ann?: AnnOptions | false;
}

const MEMORY_COLUMNS = 'm.*';
const ANN_MAX_K = 2048;

/** A query word found in more than this share of all memories (and more than the minimum) is skipped. */
const COMMON_TERM_SHARE = 0.05;
const COMMON_TERM_MIN_DOCS = 2000;

interface Invalidation {
  validTo: string;
  supersededBy: string | null;
  at: string;
  actor?: string | null;
  reason?: string | null;
}

/**
 * The embedded source of truth: one SQLite file holding memories, vectors (sqlite-vec),
 * full-text (FTS5), history and the message log. Every write is one transaction and every
 * query carries the tenant predicate.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  readonly #db: Database.Database;
  #vectors: SqliteVectors | undefined;
  readonly #jobs: SqliteJobs;
  readonly #keys: SqliteKeys;
  readonly #ann: AnnOptions | false;
  #closed = false;

  constructor(options: SqliteStoreOptions) {
    try {
      this.#db = new Database(options.path);
    } catch (cause) {
      throw new MemoryError(
        'store_error',
        `Cannot open the database at ${options.path}: ${(cause as Error).message}. Check the path (config dbPath or ENGRAM_DB) and its permissions.`,
        { cause },
      );
    }
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = NORMAL');
    this.#db.pragma('foreign_keys = ON');
    this.#db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqliteVec.load(this.#db);
    cacheStatements(this.#db);
    this.#jobs = new SqliteJobs(this.#db);
    this.#keys = new SqliteKeys(this.#db);
    this.#ann = options.ann ?? {};
  }

  createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    return this.#keys.createApiKey(key);
  }
  findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    return this.#keys.findApiKey(hash);
  }
  listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    return this.#keys.listApiKeys(tenant);
  }
  revokeApiKey(tenant: string | null, id: string, at: string): Promise<ApiKeyRecord> {
    return this.#keys.revokeApiKey(tenant, id, at);
  }

  enqueueJob(tenant: string, job: NewJob, at: string): Promise<{ job: JobRecord; created: boolean }> {
    return this.#jobs.enqueueJob(tenant, job, at);
  }
  claimJobs(options: {
    limit: number;
    now: string;
    leaseMs: number;
    kinds?: string[];
    ids?: string[];
  }): Promise<JobRecord[]> {
    return this.#jobs.claimJobs(options);
  }
  completeJob(tenant: string, id: string, result: JsonValue, at: string): Promise<void> {
    return this.#jobs.completeJob(tenant, id, result, at);
  }
  failJob(tenant: string, id: string, error: string, retryAt: string | null, at: string): Promise<JobRecord> {
    return this.#jobs.failJob(tenant, id, error, retryAt, at);
  }
  getJob(tenant: string, id: string): Promise<JobRecord | null> {
    return this.#jobs.getJob(tenant, id);
  }
  listJobs(tenant: string, options: { states?: JobState[]; limit: number }): Promise<JobRecord[]> {
    return this.#jobs.listJobs(tenant, options);
  }
  retryJob(tenant: string, id: string, at: string): Promise<JobRecord> {
    return this.#jobs.retryJob(tenant, id, at);
  }
  jobCounts(tenant: string | null) {
    return this.#jobs.jobCounts(tenant);
  }

  get #vec(): SqliteVectors {
    if (!this.#vectors)
      throw new MemoryError('store_error', 'The store is not initialised: call init() first.');
    return this.#vectors;
  }

  async init(): Promise<void> {
    this.#db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    const current = Number(this.#metaSync('schema_version') ?? 0);
    if (current > SCHEMA_VERSION) {
      throw new MemoryError(
        'store_error',
        `The database was written by a newer engram (schema ${current}, this one knows ${SCHEMA_VERSION}). Upgrade engram.`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      this.#db.transaction(() => {
        this.#db.exec(migration.sql);
        this.#setMetaSync('schema_version', String(migration.version));
      })();
    }
    this.#vectors = new SqliteVectors(this.#db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #metaSync(key: string): string | null {
    const row = this.#db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  #setMetaSync(key: string, value: string): void {
    this.#db
      .prepare(
        'INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value);
  }

  async recordUsage(
    tenant: string,
    scope: { userId: string | null; agentId: string | null; runId: string | null },
    delta: UsageDelta,
    at: string,
  ): Promise<void> {
    this.#write(() => {
      this.#db
        .prepare(
          `INSERT INTO usage_totals(tenant, user_id, agent_id, run_id, adds, llm_calls, input_tokens, output_tokens,
             embed_calls, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?)
           ON CONFLICT(tenant, user_id, agent_id, run_id) DO UPDATE SET adds = adds + 1,
             llm_calls = llm_calls + excluded.llm_calls, input_tokens = input_tokens + excluded.input_tokens,
             output_tokens = output_tokens + excluded.output_tokens, embed_calls = embed_calls + excluded.embed_calls,
             updated_at = excluded.updated_at`,
        )
        .run(
          tenant,
          scope.userId ?? '',
          scope.agentId ?? '',
          scope.runId ?? '',
          delta.llmCalls,
          delta.inputTokens,
          delta.outputTokens,
          delta.embedCalls,
          at,
        );
    });
  }

  async usageTotals(
    tenant: string,
    scope: { userId?: string | null; agentId?: string | null; runId?: string | null },
  ): Promise<UsageTotals[]> {
    const parts = ['tenant = ?'];
    const params: string[] = [tenant];
    for (const [column, value] of [
      ['user_id', scope.userId],
      ['agent_id', scope.agentId],
      ['run_id', scope.runId],
    ] as const) {
      if (value) {
        parts.push(`${column} = ?`);
        params.push(value);
      }
    }
    const rows = this.#db
      .prepare(`SELECT * FROM usage_totals WHERE ${parts.join(' AND ')} ORDER BY updated_at DESC`)
      .all(...params) as {
      user_id: string;
      agent_id: string;
      run_id: string;
      adds: number;
      llm_calls: number;
      input_tokens: number;
      output_tokens: number;
      embed_calls: number;
      updated_at: string;
    }[];
    return rows.map((r) => ({
      userId: r.user_id || null,
      agentId: r.agent_id || null,
      runId: r.run_id || null,
      adds: r.adds,
      llmCalls: r.llm_calls,
      inputTokens: r.input_tokens,
      outputTokens: r.output_tokens,
      embedCalls: r.embed_calls,
      updatedAt: r.updated_at,
    }));
  }

  async getMeta(key: string): Promise<string | null> {
    return this.#metaSync(key);
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.#setMetaSync(key, value);
  }

  async appendMessages(scope: Scope, messages: NewMessage[]): Promise<StoredMessage[]> {
    const insert = this.#db.prepare(
      `INSERT INTO messages(tenant, user_id, agent_id, run_id, role, name, content, event_time, created_at, ref)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *`,
    );
    const now = new Date().toISOString();
    return this.#write(() =>
      messages.flatMap((m) => {
        const row = insert.get(
          scope.tenant,
          scope.userId ?? null,
          scope.agentId ?? null,
          scope.runId ?? null,
          m.role,
          m.name ?? null,
          m.content,
          m.eventTime,
          now,
          m.ref ?? null,
        ) as MessageRow | undefined;
        return row ? [toStoredMessage(row)] : [];
      }),
    );
  }

  async recentMessages(scope: Scope, limit: number): Promise<StoredMessage[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM messages WHERE tenant = ? AND user_id IS ? AND agent_id IS ? AND run_id IS ?
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(
        scope.tenant,
        scope.userId ?? null,
        scope.agentId ?? null,
        scope.runId ?? null,
        limit,
      ) as MessageRow[];
    return rows.reverse().map(toStoredMessage);
  }

  async insertMemories(tenant: string, memories: NewMemory[]): Promise<InsertOutcome[]> {
    return this.#write(() => memories.map((m) => this.#insertOne(tenant, m)));
  }

  async applyChanges(tenant: string, changes: Change[]): Promise<ChangeOutcome[]> {
    return this.#write(() => {
      const outcomes: ChangeOutcome[] = [];
      for (const change of changes) {
        if (change.kind === 'insert') {
          const { record, inserted } = this.#insertOne(tenant, change.memory);
          outcomes.push({ kind: 'insert', record, inserted, previousText: null });
        } else if (change.kind === 'update') {
          const { record, previousText } = this.#updateOne(tenant, change.id, change.patch);
          outcomes.push({ kind: 'update', record, inserted: false, previousText });
        } else {
          const ref = change.supersededBy;
          const supersededBy =
            ref === null || typeof ref === 'string' ? ref : (outcomes[ref.change]?.record.id ?? null);
          const { record, previousText } = this.#invalidateOne(tenant, change.id, {
            ...change,
            supersededBy,
          });
          outcomes.push({ kind: 'invalidate', record, inserted: false, previousText });
        }
      }
      return outcomes;
    });
  }

  #insertOne(tenant: string, m: NewMemory): InsertOutcome {
    const duplicate = this.#db
      .prepare(
        // Written to match the partial unique index memories_active_text, so this is one index probe.
        `SELECT * FROM memories WHERE tenant = ? AND coalesce(user_id, '') = ? AND coalesce(agent_id, '') = ?
         AND coalesce(run_id, '') = ? AND hash = ? AND state = 'active'`,
      )
      .get(tenant, m.userId ?? '', m.agentId ?? '', m.runId ?? '', m.hash) as MemoryRow | undefined;
    if (duplicate) return { record: toMemoryRecord(duplicate), inserted: false };
    const partition = partitionKey(tenant, m);
    const row = this.#db
      .prepare(
        `INSERT INTO memories(id, tenant, partition_key, user_id, agent_id, run_id, actor_id, role, text, hash, metadata,
           categories, importance, memory_type, state, valid_from, created_at, updated_at, source, embedding_model)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?) RETURNING *`,
      )
      .get(
        m.id,
        tenant,
        partition,
        m.userId,
        m.agentId,
        m.runId,
        m.actorId ?? null,
        m.role ?? null,
        m.text,
        m.hash,
        JSON.stringify(m.metadata),
        JSON.stringify(m.categories ?? []),
        m.importance,
        m.memoryType,
        m.validFrom,
        m.at,
        m.at,
        JSON.stringify(m.source ?? []),
        m.embedding ? m.embeddingModel : null,
      ) as MemoryRow;
    if (m.embedding) this.#vec.put(row.seq, partition, m.embedding);
    this.#history(tenant, m.id, 'ADD', null, m.text, m.actor ?? null, m.reason ?? null, m.at);
    return { record: toMemoryRecord(row), inserted: true };
  }

  /** Runs a write as one IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks). */
  #write<T>(fn: () => T): T {
    if (this.#closed) throw new MemoryError('closed', 'The store is closed.');
    try {
      return this.#db.transaction(fn).immediate();
    } catch (cause) {
      if (cause instanceof MemoryError) throw cause;
      throw new MemoryError('store_error', `Database write failed: ${(cause as Error).message}`, { cause });
    }
  }

  #history(
    tenant: string,
    memoryId: string,
    event: string,
    oldText: string | null,
    newText: string | null,
    actor: string | null,
    reason: string | null,
    at: string,
  ): void {
    this.#db
      .prepare(
        'INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(tenant, memoryId, event, oldText, newText, actor, reason, at);
  }

  #row(tenant: string, id: string): MemoryRow | undefined {
    return this.#db
      .prepare(`SELECT * FROM memories WHERE tenant = ? AND id = ? AND state <> 'deleted'`)
      .get(tenant, id) as MemoryRow | undefined;
  }

  #requireRow(tenant: string, id: string): MemoryRow {
    const row = this.#row(tenant, id);
    if (!row) throw notFound(id);
    return row;
  }

  async getMemory(tenant: string, id: string): Promise<MemoryRecord | null> {
    const row = this.#row(tenant, id);
    return row ? toMemoryRecord(row) : null;
  }

  async getMemories(tenant: string, ids: string[]): Promise<MemoryRecord[]> {
    if (ids.length === 0) return [];
    const rows = this.#db
      .prepare(
        // Id list first (CROSS JOIN fixes the order): one unique-index probe per id, never a scope scan.
        `SELECT m.* FROM json_each(?) AS j CROSS JOIN memories m ON m.id = j.value
         WHERE m.tenant = ? AND m.state <> 'deleted'`,
      )
      .all(JSON.stringify(ids), tenant) as MemoryRow[];
    return rows.map(toMemoryRecord);
  }

  async findByHash(tenant: string, filter: FilterNode, hash: string): Promise<MemoryRecord | null> {
    const where = compileFilter(filter);
    const row = this.#db
      .prepare(
        `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE m.tenant = ? AND m.hash = ? AND m.state = 'active' AND ${where.sql} LIMIT 1`,
      )
      .get(tenant, hash, ...where.params) as MemoryRow | undefined;
    return row ? toMemoryRecord(row) : null;
  }

  async listMemories(tenant: string, options: ListOptions): Promise<Page<MemoryRecord>> {
    const where = this.#where(tenant, options.filter, { states: options.states });
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
    const total = (
      this.#db.prepare(`SELECT count(*) AS n FROM memories m WHERE ${where.sql}`).get(...where.params) as {
        n: number;
      }
    ).n;
    const rows = this.#db
      .prepare(
        `SELECT ${MEMORY_COLUMNS} FROM memories m WHERE ${where.sql} ${after === null ? '' : 'AND m.seq < ?'}
         ORDER BY m.seq DESC LIMIT ?`,
      )
      .all(...where.params, ...(after === null ? [] : [after]), options.limit + 1) as MemoryRow[];
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toMemoryRecord),
      nextCursor: rows.length > options.limit && last ? encodeCursor(last.seq) : null,
      total,
    };
  }

  async updateMemory(tenant: string, id: string, patch: MemoryPatch): Promise<MemoryRecord> {
    return this.#write(() => this.#updateOne(tenant, id, patch).record);
  }

  #updateOne(tenant: string, id: string, patch: MemoryPatch): { record: MemoryRecord; previousText: string } {
    const old = this.#requireRow(tenant, id);
    const text = patch.text ?? old.text;
    const embeddingModel = patch.embedding ? (patch.embeddingModel ?? null) : old.embedding_model;
    const row = this.#db
      .prepare(
        `UPDATE memories SET text = ?, hash = ?, metadata = ?, importance = ?, valid_from = ?, updated_at = ?,
           embedding_model = ? WHERE seq = ? RETURNING *`,
      )
      .get(
        text,
        patch.hash ?? old.hash,
        patch.metadata === undefined ? old.metadata : JSON.stringify(patch.metadata),
        patch.importance ?? old.importance,
        patch.validFrom ?? old.valid_from,
        patch.at,
        embeddingModel,
        old.seq,
      ) as MemoryRow;
    if (patch.embedding) this.#vec.put(old.seq, old.partition_key, patch.embedding);
    else if (patch.embedding === null) this.#vec.remove([old.seq]);
    this.#history(tenant, id, 'UPDATE', old.text, text, patch.actor ?? null, patch.reason ?? null, patch.at);
    return { record: toMemoryRecord(row), previousText: old.text };
  }

  async invalidateMemory(tenant: string, id: string, change: Invalidation): Promise<MemoryRecord> {
    return this.#write(() => this.#invalidateOne(tenant, id, change).record);
  }

  #invalidateOne(
    tenant: string,
    id: string,
    change: Invalidation,
  ): { record: MemoryRecord; previousText: string } {
    const old = this.#requireRow(tenant, id);
    const row = this.#db
      .prepare(
        `UPDATE memories SET state = 'superseded', valid_to = ?, superseded_by = ?, expired_at = ?, updated_at = ?
         WHERE seq = ? RETURNING *`,
      )
      .get(change.validTo, change.supersededBy, change.at, change.at, old.seq) as MemoryRow;
    this.#history(
      tenant,
      id,
      'INVALIDATE',
      old.text,
      null,
      change.actor ?? null,
      change.reason ?? null,
      change.at,
    );
    return { record: toMemoryRecord(row), previousText: old.text };
  }

  async deleteMemory(
    tenant: string,
    id: string,
    change: { at: string; actor?: string | null },
  ): Promise<void> {
    this.#write(() => {
      const old = this.#requireRow(tenant, id);
      this.#tombstone([old], tenant, change);
    });
  }

  async deleteMemories(
    tenant: string,
    filter: FilterNode,
    change: { at: string; actor?: string | null },
  ): Promise<number> {
    return this.#write(() => {
      const where = this.#where(tenant, filter, { states: ['active', 'superseded'] });
      const rows = this.#db
        .prepare(`SELECT * FROM memories m WHERE ${where.sql}`)
        .all(...where.params) as MemoryRow[];
      this.#tombstone(rows, tenant, change);
      return rows.length;
    });
  }

  /** A user delete: out of every index, a DELETE event in history, the row kept as a tombstone for history. */
  #tombstone(rows: MemoryRow[], tenant: string, change: { at: string; actor?: string | null }): void {
    const mark = this.#db.prepare(
      `UPDATE memories SET state = 'deleted', expired_at = ?, updated_at = ? WHERE seq = ?`,
    );
    for (const row of rows) {
      mark.run(change.at, change.at, row.seq);
      this.#history(tenant, row.id, 'DELETE', row.text, null, change.actor ?? null, null, change.at);
    }
    this.#vec.remove(rows.map((r) => r.seq));
  }

  async history(tenant: string, id: string): Promise<HistoryEntry[]> {
    const rows = this.#db
      .prepare('SELECT * FROM history WHERE tenant = ? AND memory_id = ? ORDER BY seq')
      .all(tenant, id) as HistoryRow[];
    return rows.map(toHistoryEntry);
  }

  async recordAccess(tenant: string, ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    this.#write(() => {
      this.#db
        .prepare(
          `UPDATE memories SET access_count = access_count + 1, last_accessed_at = ?
           WHERE +tenant = ? AND id IN (SELECT value FROM json_each(?))`,
        )
        .run(at, tenant, JSON.stringify(ids));
    });
  }

  /** The tenant predicate, the state/time window and the caller's filter, as one fragment over `memories m`. */
  #where(
    tenant: string,
    filter: FilterNode | null,
    window: { states?: string[]; asOf?: string | undefined },
  ): SqlFragment {
    const parts: string[] = ['m.tenant = ?'];
    const params: SqlParam[] = [tenant];
    if (window.asOf !== undefined) {
      parts.push(
        `m.state IN ('active', 'superseded') AND m.valid_from <= ? AND (m.valid_to IS NULL OR m.valid_to > ?)`,
      );
      params.push(window.asOf, window.asOf);
    } else {
      const states = window.states ?? ['active'];
      parts.push(`m.state IN (${states.map(() => '?').join(', ')})`);
      params.push(...states);
    }
    if (filter) {
      const compiled = compileFilter(filter);
      parts.push(compiled.sql);
      params.push(...compiled.params);
    }
    return { sql: parts.join(' AND '), params };
  }

  async vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredId[]> {
    if (!this.#vec.checkQuery(query)) return [];
    const where = this.#where(tenant, options.filter, { asOf: options.asOf });
    const partition = queryPartition(tenant, pinnedScope(options.filter));
    if (partition === null) {
      const rows = this.#db
        .prepare(
          `SELECT m.id, vec_distance_cosine(v.embedding, ?) AS distance FROM memories m
           JOIN memory_embeddings v ON v.seq = m.seq WHERE ${where.sql} ORDER BY distance LIMIT ?`,
        )
        .all(toBuffer(query), ...where.params, options.limit) as { id: string; distance: number }[];
      return rows.map((r) => ({ id: r.id, raw: r.distance }));
    }
    // KNN inside the owner's partition, then the exact filter; widen k until enough survive
    // or the partition is exhausted, so filtering never silently loses a nearer match.
    const keep = this.#db.prepare(
      `SELECT m.seq, m.id FROM json_each(?) AS j CROSS JOIN memories m ON m.seq = j.value WHERE ${where.sql}`,
    );
    // Large partitions go through the ANN index (ann-index.ts) while k is small; a filter that keeps
    // too few of its hits widens k past ANN_MAX_K and the exact scan takes over.
    const ann = this.#ann === false ? null : annIndexFor(this.#db, this.#ann);
    let k = Math.max(options.limit * 2, 20);
    for (;;) {
      const approx = ann && k <= ANN_MAX_K ? await ann.knn(partition, query, k) : null;
      const hits = approx ?? this.#vec.knn(query, partition, k);
      const allowed = new Map(
        (
          keep.all(JSON.stringify(hits.map((h) => h.seq)), ...where.params) as { seq: number; id: string }[]
        ).map((r) => [r.seq, r.id]),
      );
      const results: ScoredId[] = [];
      for (const hit of hits) {
        const id = allowed.get(hit.seq);
        if (id !== undefined) results.push({ id, raw: hit.distance });
      }
      if (results.length >= options.limit || hits.length < k) return results.slice(0, options.limit);
      k *= 4;
    }
  }

  async textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredId[]> {
    const documents = this.#documentCount();
    const tooCommon = Math.max(COMMON_TERM_MIN_DOCS, documents * COMMON_TERM_SHARE);
    const frequency = this.#db.prepare('SELECT doc FROM memories_fts_vocab WHERE term = ?');
    // Words in a large share of all memories are dropped when rarer ones remain (see migration 6).
    const match = ftsMatchExpression(query, (term) => {
      const row = frequency.get(term) as { doc: number } | undefined;
      return (row?.doc ?? 0) <= tooCommon;
    });
    if (match === null) return [];
    const where = this.#where(tenant, options.filter, { asOf: options.asOf });
    const rows = this.#db
      .prepare(
        `SELECT m.id, bm25(memories_fts) AS rank FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid
         WHERE memories_fts MATCH ? AND ${where.sql} ORDER BY rank LIMIT ?`,
      )
      .all(match, ...where.params, options.limit) as { id: string; rank: number }[];
    return rows.map((r) => ({ id: r.id, raw: r.rank }));
  }

  #documents: { n: number; at: number } | undefined;

  /** Live memories in the file, recounted at most every few seconds (it only sets a threshold). */
  #documentCount(): number {
    const now = Date.now();
    if (!this.#documents || now - this.#documents.at > 5000) {
      const n = (this.#db.prepare(`SELECT count(*) AS n FROM memories`).get() as { n: number }).n;
      this.#documents = { n, at: now };
    }
    return this.#documents.n;
  }

  async vectorDistances(tenant: string, ids: string[], query: Float32Array): Promise<Map<string, number>> {
    if (ids.length === 0 || !this.#vec.checkQuery(query)) return new Map();
    const rows = this.#db
      .prepare(
        `SELECT m.id, vec_distance_cosine(v.embedding, ?) AS distance
         FROM json_each(?) AS j CROSS JOIN memories m ON m.id = j.value
         JOIN memory_embeddings v ON v.seq = m.seq
         WHERE m.tenant = ?`,
      )
      .all(toBuffer(query), JSON.stringify(ids), tenant) as { id: string; distance: number }[];
    return new Map(rows.map((r) => [r.id, r.distance]));
  }

  async memoriesToEmbed(tenant: string | null, model: string, limit: number): Promise<MemoryRecord[]> {
    const rows = this.#db
      .prepare(
        `SELECT * FROM memories WHERE state <> 'deleted' AND (embedding_model IS NULL OR embedding_model <> ?)
         ${tenant === null ? '' : 'AND tenant = ?'} ORDER BY seq LIMIT ?`,
      )
      .all(model, ...(tenant === null ? [] : [tenant]), limit) as MemoryRow[];
    return rows.map(toMemoryRecord);
  }

  async setEmbeddings(
    rows: { tenant: string; id: string; embedding: Float32Array }[],
    model: string,
  ): Promise<void> {
    const find = this.#db.prepare('SELECT seq, partition_key FROM memories WHERE tenant = ? AND id = ?');
    const mark = this.#db.prepare('UPDATE memories SET embedding_model = ? WHERE seq = ?');
    this.#write(() => {
      for (const r of rows) {
        const row = find.get(r.tenant, r.id) as { seq: number; partition_key: string } | undefined;
        if (!row) continue;
        this.#vec.put(row.seq, row.partition_key, r.embedding);
        mark.run(model, row.seq);
      }
    });
  }

  async clearVectors(dimensions: number): Promise<void> {
    this.#write(() => {
      this.#vec.recreate(dimensions);
      this.#db.prepare('UPDATE memories SET embedding_model = NULL').run();
    });
  }

  async stats(): Promise<StoreStats> {
    const count = (table: string, where = '1'): number =>
      (this.#db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
    const integrity = (this.#db.pragma('quick_check') as { quick_check: string }[])
      .map((r) => r.quick_check)
      .join('; ');
    return {
      memories: count('memories', `state <> 'deleted'`),
      vectors: this.#vec.count(),
      messages: count('messages'),
      history: count('history'),
      schemaVersion: Number(this.#metaSync('schema_version') ?? 0),
      dimensions: this.#vec.dimensions,
      embeddingModel: this.#metaSync('embedding_model'),
      integrity,
    };
  }

  async reset(tenant: string | null): Promise<void> {
    this.#write(() => {
      if (tenant === null) {
        this.#db.exec(
          'DELETE FROM memories; DELETE FROM history; DELETE FROM messages; DELETE FROM jobs; DELETE FROM usage_totals;',
        );
        if (this.#vec.dimensions !== null) this.#db.exec('DELETE FROM memory_vectors');
        this.#db.exec('DELETE FROM memory_embeddings');
        return;
      }
      const seqs = (
        this.#db.prepare('SELECT seq FROM memories WHERE tenant = ?').all(tenant) as { seq: number }[]
      ).map((r) => r.seq);
      this.#vec.remove(seqs);
      for (const table of ['memories', 'history', 'messages', 'jobs', 'usage_totals']) {
        this.#db.prepare(`DELETE FROM ${table} WHERE tenant = ?`).run(tenant);
      }
    });
  }
}

function notFound(id: string): MemoryError {
  return new MemoryError(
    'not_found',
    `No memory with id ${id} in this scope. List ids with \`engram list\`.`,
    {
      details: { id },
    },
  );
}

function encodeCursor(seq: number): string {
  return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown };
    if (typeof parsed.s === 'number' && Number.isInteger(parsed.s)) return parsed.s;
  } catch {
    // fall through to the error below
  }
  throw new MemoryError(
    'invalid_input',
    `The cursor "${cursor}" is not one engram issued; pass next_cursor unchanged.`,
  );
}
