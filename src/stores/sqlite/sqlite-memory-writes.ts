import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryRecord } from '../../spec/memory-record.js';
import type { ChangeOutcome, InsertOutcome, Invalidation, MemoryPatch, NewMemory } from '../../spec/store.js';
import { partitionKey } from '../shared/partition-key.js';
import type { MemoryVersionRow } from '../shared/row-mapping.js';
import { toMemoryRecord } from '../shared/row-mapping.js';
import { backdated, duplicateText, memoryNotFound } from '../shared/store-errors.js';
import { newRecord } from '../shared/store-rows.js';
import { laterOf } from '../shared/time-window.js';
import type { SqliteConnection } from './sqlite-connection.js';
import type { SqliteMemoryReads } from './sqlite-memory-reads.js';
import type { SqliteVectors } from './sqlite-vectors.js';

interface HistoryEvent {
  event: 'ADD' | 'UPDATE' | 'DELETE' | 'INVALIDATE';
  oldText: string | null;
  newText: string | null;
  version: number;
  actor?: string | null | undefined;
  reason?: string | null | undefined;
  at: string;
}

/**
 * The single-row write steps (insert, new version, invalidate, tombstone). They run inside a
 * transaction opened by the caller (SqliteStore), so a list of changes commits as one.
 */
export class SqliteMemoryWrites {
  readonly #db: SqliteConnection['db'];
  readonly #reads: SqliteMemoryReads;
  readonly #vectors: () => SqliteVectors;

  constructor(connection: SqliteConnection, reads: SqliteMemoryReads, vectors: () => SqliteVectors) {
    this.#db = connection.db;
    this.#reads = reads;
    this.#vectors = vectors;
  }

  #record(tenant: string, id: string): MemoryRecord {
    const row = this.#reads.currentRow(tenant, id);
    if (!row) throw memoryNotFound(id);
    return toMemoryRecord(row);
  }

  #require(tenant: string, id: string): MemoryVersionRow {
    const row = this.#reads.currentRow(tenant, id);
    if (!row) throw memoryNotFound(id);
    return row;
  }

  #activeWithHash(tenant: string, scope: MemoryVersionRow | NewMemory, hash: string): string | undefined {
    const ids =
      'user_id' in scope ? { userId: scope.user_id, agentId: scope.agent_id, runId: scope.run_id } : scope;
    const row = this.#db
      .prepare(
        // Written to match the partial unique index memories_active_text, so this is one index probe.
        `SELECT id FROM memories WHERE tenant = ? AND coalesce(user_id, '') = ? AND coalesce(agent_id, '') = ?
         AND coalesce(run_id, '') = ? AND hash = ? AND state = 'active'`,
      )
      .get(tenant, ids.userId ?? '', ids.agentId ?? '', ids.runId ?? '', hash) as { id: string } | undefined;
    return row?.id;
  }

  #history(tenant: string, memoryId: string, e: HistoryEvent): void {
    this.#db
      .prepare(
        `INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        tenant,
        memoryId,
        e.event,
        e.oldText,
        e.newText,
        e.actor ?? null,
        e.reason ?? null,
        e.at,
        e.version,
      );
  }

  /** A new version row; its vector (when given) goes in under the version's seq. */
  #openVersion(
    tenant: string,
    memoryId: string,
    partition: string,
    version: number,
    v: {
      text: string;
      hash: string;
      validFrom: string;
      at: string;
      embedding?: Float32Array | null;
      model?: string | null;
    },
  ): number {
    const model = v.embedding ? (v.model ?? null) : null;
    const { seq } = this.#db
      .prepare(
        `INSERT INTO memory_versions(memory_id, tenant, partition_key, version, text, hash, valid_from, created_at,
           embedding_model) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`,
      )
      .get(memoryId, tenant, partition, version, v.text, v.hash, v.validFrom, v.at, model) as { seq: number };
    if (v.embedding) this.#vectors().put(seq, partition, v.embedding);
    return seq;
  }

  insert(tenant: string, m: NewMemory): InsertOutcome {
    const duplicate = this.#activeWithHash(tenant, m, m.hash);
    if (duplicate) return { record: this.#record(tenant, duplicate), inserted: false };
    const partition = partitionKey(tenant, m);
    const seq = this.#openVersion(tenant, m.id, partition, 1, {
      text: m.text,
      hash: m.hash,
      validFrom: m.validFrom,
      at: m.at,
      embedding: m.embedding,
      model: m.embeddingModel,
    });
    this.#db
      .prepare(
        `INSERT INTO memories(id, tenant, partition_key, user_id, agent_id, run_id, actor_id, role, text, hash, metadata,
           categories, importance, memory_type, state, valid_from, created_at, updated_at, source, embedding_model,
           version, version_seq)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?, 1, ?)`,
      )
      .run(
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
        seq,
      );
    this.#history(tenant, m.id, {
      event: 'ADD',
      oldText: null,
      newText: m.text,
      version: 1,
      actor: m.actor,
      reason: m.reason,
      at: m.at,
    });
    // Everything the row holds is known here: no read-back on the add path.
    return { record: newRecord(tenant, m), inserted: true };
  }

  /**
   * A text change closes the current version (world: validTo = the change's event time; system:
   * expiredAt = now) and opens the next one; metadata and importance change in place.
   */
  update(tenant: string, id: string, patch: MemoryPatch): Omit<ChangeOutcome, 'kind' | 'inserted'> {
    const old = this.#require(tenant, id);
    const textChanges = patch.text !== undefined && patch.text !== old.v_text;
    let folded: { id: string; text: string } | undefined;
    if (!textChanges) {
      this.#db
        .prepare('UPDATE memories SET metadata = ?, importance = ?, updated_at = ? WHERE seq = ?')
        .run(
          patch.metadata === undefined ? old.metadata : JSON.stringify(patch.metadata),
          patch.importance ?? old.importance,
          patch.at,
          old.seq,
        );
      if (patch.embedding) {
        this.#vectors().put(old.version_seq, old.partition_key, patch.embedding);
        this.#db
          .prepare('UPDATE memory_versions SET embedding_model = ? WHERE seq = ?')
          .run(patch.embeddingModel ?? null, old.version_seq);
        this.#db
          .prepare('UPDATE memories SET embedding_model = ? WHERE seq = ?')
          .run(patch.embeddingModel ?? null, old.seq);
      }
      this.#history(tenant, id, {
        event: 'UPDATE',
        oldText: old.v_text,
        newText: old.v_text,
        version: old.version,
        actor: patch.actor,
        reason: patch.reason ?? 'metadata',
        at: patch.at,
      });
      return { record: this.#record(tenant, id), previousText: old.v_text };
    }
    if (old.state !== 'active') {
      throw new MemoryError(
        'invalid_input',
        `Memory ${id} was superseded${old.superseded_by ? ` by ${old.superseded_by}` : ''}; change the memory that replaced it instead.`,
        { details: { id, supersededBy: old.superseded_by } },
      );
    }
    const text = patch.text as string;
    const hash = patch.hash;
    if (hash === undefined) throw new MemoryError('store_error', 'A text update must carry the text hash.');
    const other = this.#activeWithHash(tenant, old, hash);
    if (other !== undefined && other !== id) {
      if (patch.onDuplicate !== 'fold') throw duplicateText(id, other);
      const eventTime = patch.validFrom ?? patch.at;
      const { previousText } = this.invalidate(tenant, other, {
        validTo: eventTime,
        supersededBy: id,
        at: patch.at,
        actor: patch.actor ?? null,
        reason: `folded into ${id}`,
      });
      folded = { id: other, text: previousText };
    }
    const eventTime = patch.validFrom ?? patch.at;
    let closesAt = eventTime;
    if (Date.parse(eventTime) < Date.parse(old.v_valid_from)) {
      if (patch.backdate !== 'clamp') throw backdated(id, eventTime, old.v_valid_from);
      closesAt = old.v_valid_from;
    }
    this.#db
      .prepare('UPDATE memory_versions SET valid_to = ?, expired_at = ? WHERE seq = ?')
      .run(closesAt, patch.at, old.version_seq);
    const version = old.version + 1;
    const seq = this.#openVersion(tenant, id, old.partition_key, version, {
      text,
      hash,
      validFrom: eventTime,
      at: patch.at,
      embedding: patch.embedding,
      model: patch.embeddingModel,
    });
    this.#db
      .prepare(
        `UPDATE memories SET text = ?, hash = ?, metadata = ?, importance = ?, valid_from = ?, updated_at = ?,
           embedding_model = ?, version = ?, version_seq = ? WHERE seq = ?`,
      )
      .run(
        text,
        hash,
        patch.metadata === undefined ? old.metadata : JSON.stringify(patch.metadata),
        patch.importance ?? old.importance,
        eventTime,
        patch.at,
        patch.embedding ? (patch.embeddingModel ?? null) : null,
        version,
        seq,
        old.seq,
      );
    this.#history(tenant, id, {
      event: 'UPDATE',
      oldText: old.v_text,
      newText: text,
      version,
      actor: patch.actor,
      reason: patch.reason,
      at: patch.at,
    });
    return { record: this.#record(tenant, id), previousText: old.v_text, ...(folded ? { folded } : {}) };
  }

  /** The reconciler's DELETE: the memory ends in the world at validTo; nothing is erased. */
  invalidate(
    tenant: string,
    id: string,
    change: Invalidation,
  ): { record: MemoryRecord; previousText: string } {
    const old = this.#require(tenant, id);
    if (old.state === 'superseded') return { record: toMemoryRecord(old), previousText: old.v_text };
    // A version never ends before it began (a conversation replayed out of order).
    const validTo = laterOf(change.validTo, old.v_valid_from);
    this.#db
      .prepare('UPDATE memory_versions SET valid_to = ?, expired_at = ? WHERE seq = ?')
      .run(validTo, change.at, old.version_seq);
    this.#db
      .prepare(
        `UPDATE memories SET state = 'superseded', valid_to = ?, superseded_by = ?, expired_at = ?, updated_at = ?
         WHERE seq = ?`,
      )
      .run(validTo, change.supersededBy, change.at, change.at, old.seq);
    this.#history(tenant, id, {
      event: 'INVALIDATE',
      oldText: old.v_text,
      newText: null,
      version: old.version,
      actor: change.actor,
      reason: change.reason,
      at: change.at,
    });
    return { record: this.#record(tenant, id), previousText: old.v_text };
  }

  /** A user delete: out of every index, a DELETE event in history, the rows kept as a tombstone. */
  tombstone(tenant: string, rows: MemoryVersionRow[], change: { at: string; actor?: string | null }): void {
    const mark = this.#db.prepare(
      `UPDATE memories SET state = 'deleted', expired_at = ?, updated_at = ? WHERE seq = ?`,
    );
    const close = this.#db.prepare(
      'UPDATE memory_versions SET expired_at = ? WHERE seq = ? AND expired_at IS NULL',
    );
    const unindex = this.#db.prepare(
      'UPDATE memory_versions SET indexed = 0, embedding_model = NULL WHERE memory_id = ? RETURNING seq',
    );
    const seqs: number[] = [];
    for (const row of rows) {
      seqs.push(
        ...(
          this.#db.prepare('SELECT seq FROM memory_versions WHERE memory_id = ?').all(row.id) as {
            seq: number;
          }[]
        ).map((r) => r.seq),
      );
    }
    // Vectors first: the ANN change log finds a vector's partition through its version row.
    this.#vectors().remove(seqs);
    for (const row of rows) {
      mark.run(change.at, change.at, row.seq);
      close.run(change.at, row.version_seq);
      unindex.all(row.id);
      this.#history(tenant, row.id, {
        event: 'DELETE',
        oldText: row.v_text,
        newText: null,
        version: row.version,
        actor: change.actor,
        at: change.at,
      });
    }
  }

  /** Each occurrence of an id is one access (the engine batches several searches into one call). */
  recordAccess(tenant: string, ids: string[], at: string): void {
    this.#db
      .prepare(
        `UPDATE memories SET access_count = access_count + hits.n, last_accessed_at = ?
         FROM (SELECT value AS id, count(*) AS n FROM json_each(?) GROUP BY value) AS hits
         WHERE memories.id = hits.id AND +memories.tenant = ?`,
      )
      .run(at, JSON.stringify(ids), tenant);
  }
}
