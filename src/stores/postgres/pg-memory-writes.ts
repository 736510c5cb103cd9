import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryRecord } from '../../spec/memory-record.js';
import type {
  Change,
  ChangeOutcome,
  InsertOutcome,
  Invalidation,
  MemoryPatch,
  NewMemory,
} from '../../spec/store.js';
import { resolveSupersededBy } from '../shared/change-refs.js';
import { type MemoryVersionRow, toMemoryRecord } from '../shared/row-mapping.js';
import { backdated, duplicateText, memoryNotFound } from '../shared/store-errors.js';
import { laterOf } from '../shared/time-window.js';
import { insertMany } from './pg-bulk-insert.js';
import type { PgQuery } from './pg-connection.js';
import type { PgMemoryReads } from './pg-memory-reads.js';
import type { PgVectors } from './pg-vectors.js';

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
 * The single-row write steps (insert, new version, invalidate, tombstone), run inside the
 * caller's transaction so a list of changes commits as one. Rows a step changes are locked
 * first (FOR UPDATE), so two processes changing one memory take turns instead of both writing
 * version n + 1; an insert races another process's insert of the same text through the unique
 * index (ON CONFLICT DO NOTHING), never through a check that both could pass.
 */
export class PgMemoryWrites {
  readonly #reads: PgMemoryReads;
  readonly #vectors: PgVectors;

  constructor(reads: PgMemoryReads, vectors: PgVectors) {
    this.#reads = reads;
    this.#vectors = vectors;
  }

  /** A change list, in order, inside the caller's transaction (Store.applyChanges). */
  async applyChanges(q: PgQuery, tenant: string, changes: Change[]): Promise<ChangeOutcome[]> {
    const outcomes: ChangeOutcome[] = [];
    for (const change of changes) {
      if (change.kind === 'insert') {
        const { record, inserted } = await this.insert(q, tenant, change.memory);
        outcomes.push({ kind: 'insert', record, inserted, previousText: null });
      } else if (change.kind === 'update') {
        const done = await this.update(q, tenant, change.id, change.patch);
        outcomes.push({ kind: 'update', inserted: false, ...done });
      } else if (change.kind === 'delete') {
        const row = await this.#reads.currentRow(q, tenant, change.id, true);
        if (!row) throw memoryNotFound(change.id);
        await this.tombstone(q, tenant, [row], change);
        outcomes.push({
          kind: 'delete',
          record: toMemoryRecord(row),
          inserted: false,
          previousText: row.v_text,
        });
      } else {
        const supersededBy = resolveSupersededBy(change.supersededBy, outcomes);
        const done = await this.invalidate(q, tenant, change.id, { ...change, supersededBy });
        outcomes.push({ kind: 'invalidate', inserted: false, ...done });
      }
    }
    return outcomes;
  }

  async #record(q: PgQuery, tenant: string, id: string): Promise<MemoryRecord> {
    const row = await this.#reads.currentRow(q, tenant, id);
    if (!row) throw memoryNotFound(id);
    return toMemoryRecord(row);
  }

  async #require(q: PgQuery, tenant: string, id: string): Promise<MemoryVersionRow> {
    const row = await this.#reads.currentRow(q, tenant, id, true);
    if (!row) throw memoryNotFound(id);
    return row;
  }

  async #activeWithHash(
    q: PgQuery,
    tenant: string,
    ids: { userId: string | null; agentId: string | null; runId: string | null },
    hash: string,
  ): Promise<string | undefined> {
    // Written to match the partial unique index memories_active_text: one index probe.
    const row = await q.one<{ id: string }>(
      `SELECT id FROM memories WHERE tenant = $1 AND coalesce(user_id, '') = $2 AND coalesce(agent_id, '') = $3
       AND coalesce(run_id, '') = $4 AND hash = $5 AND state = 'active'`,
      [tenant, ids.userId ?? '', ids.agentId ?? '', ids.runId ?? '', hash],
    );
    return row?.id;
  }

  async #history(q: PgQuery, tenant: string, memoryId: string, e: HistoryEvent): Promise<void> {
    await q.run(
      `INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [tenant, memoryId, e.event, e.oldText, e.newText, e.actor ?? null, e.reason ?? null, e.at, e.version],
    );
  }

  async #nextVersionSeq(q: PgQuery): Promise<number> {
    const row = await q.one<{ seq: number }>(
      `SELECT nextval(pg_get_serial_sequence('memory_versions', 'seq')) AS seq`,
    );
    return row!.seq;
  }

  /** A new version row under a seq drawn before; its vector (when given) goes in under that seq. */
  async #openVersion(
    q: PgQuery,
    seq: number,
    tenant: string,
    memoryId: string,
    partition: string,
    version: number,
    v: {
      text: string;
      hash: string;
      validFrom: string;
      at: string;
      embedding?: Float32Array | null | undefined;
      model?: string | null | undefined;
    },
  ): Promise<void> {
    const model = v.embedding ? (v.model ?? null) : null;
    await q.run(
      `INSERT INTO memory_versions(seq, memory_id, tenant, partition_key, version, text, hash, valid_from, created_at,
         embedding_model) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [seq, memoryId, tenant, partition, version, v.text, v.hash, v.validFrom, v.at, model],
    );
    if (v.embedding) await this.#vectors.put(q, seq, partition, v.embedding);
  }

  /** One new memory: the bulk path with a list of one (the same SQL, the same race safety). */
  async insert(q: PgQuery, tenant: string, m: NewMemory): Promise<InsertOutcome> {
    const [outcome] = await insertMany(q, tenant, [m], this.#reads, this.#vectors);
    return outcome!;
  }

  /** A text change closes the current version on both axes and opens the next; metadata changes in place. */
  async update(
    q: PgQuery,
    tenant: string,
    id: string,
    patch: MemoryPatch,
  ): Promise<Omit<ChangeOutcome, 'kind' | 'inserted'>> {
    const old = await this.#require(q, tenant, id);
    const textChanges = patch.text !== undefined && patch.text !== old.v_text;
    const metadata = patch.metadata === undefined ? null : JSON.stringify(patch.metadata);
    if (!textChanges) {
      await q.run(
        `UPDATE memories SET metadata = coalesce($1::jsonb, metadata), importance = $2, updated_at = $3
         WHERE seq = $4`,
        [metadata, patch.importance ?? old.importance, patch.at, old.seq],
      );
      if (patch.embedding) {
        await this.#vectors.put(q, old.version_seq, old.partition_key, patch.embedding);
        await q.run('UPDATE memory_versions SET embedding_model = $1 WHERE seq = $2', [
          patch.embeddingModel ?? null,
          old.version_seq,
        ]);
        await q.run('UPDATE memories SET embedding_model = $1 WHERE seq = $2', [
          patch.embeddingModel ?? null,
          old.seq,
        ]);
      }
      await this.#history(q, tenant, id, {
        event: 'UPDATE',
        oldText: old.v_text,
        newText: old.v_text,
        version: old.version,
        actor: patch.actor,
        reason: patch.reason ?? 'metadata',
        at: patch.at,
      });
      return { record: await this.#record(q, tenant, id), previousText: old.v_text };
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
    const scope = { userId: old.user_id, agentId: old.agent_id, runId: old.run_id };
    let folded: { id: string; text: string } | undefined;
    const other = await this.#activeWithHash(q, tenant, scope, hash);
    if (other !== undefined && other !== id) {
      if (patch.onDuplicate !== 'fold') throw duplicateText(id, other);
      const { previousText } = await this.invalidate(q, tenant, other, {
        validTo: patch.validFrom ?? patch.at,
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
    await q.run('UPDATE memory_versions SET valid_to = $1, expired_at = $2 WHERE seq = $3', [
      closesAt,
      patch.at,
      old.version_seq,
    ]);
    const version = old.version + 1;
    const seq = await this.#nextVersionSeq(q);
    await this.#openVersion(q, seq, tenant, id, old.partition_key, version, {
      text,
      hash,
      validFrom: eventTime,
      at: patch.at,
      embedding: patch.embedding,
      model: patch.embeddingModel,
    });
    await q.run(
      `UPDATE memories SET text = $1, hash = $2, metadata = coalesce($3::jsonb, metadata), importance = $4,
         valid_from = $5, updated_at = $6, embedding_model = $7, version = $8, version_seq = $9 WHERE seq = $10`,
      [
        text,
        hash,
        metadata,
        patch.importance ?? old.importance,
        eventTime,
        patch.at,
        patch.embedding ? (patch.embeddingModel ?? null) : null,
        version,
        seq,
        old.seq,
      ],
    );
    await this.#history(q, tenant, id, {
      event: 'UPDATE',
      oldText: old.v_text,
      newText: text,
      version,
      actor: patch.actor,
      reason: patch.reason,
      at: patch.at,
    });
    return {
      record: await this.#record(q, tenant, id),
      previousText: old.v_text,
      ...(folded ? { folded } : {}),
    };
  }

  /** The reconciler's DELETE: the memory ends in the world at validTo; nothing is erased. */
  async invalidate(
    q: PgQuery,
    tenant: string,
    id: string,
    change: Invalidation,
  ): Promise<{ record: MemoryRecord; previousText: string }> {
    const old = await this.#require(q, tenant, id);
    if (old.state === 'superseded') return { record: toMemoryRecord(old), previousText: old.v_text };
    const validTo = laterOf(change.validTo, old.v_valid_from);
    await q.run('UPDATE memory_versions SET valid_to = $1, expired_at = $2 WHERE seq = $3', [
      validTo,
      change.at,
      old.version_seq,
    ]);
    await q.run(
      `UPDATE memories SET state = 'superseded', valid_to = $1, superseded_by = $2, expired_at = $3, updated_at = $3
       WHERE seq = $4`,
      [validTo, change.supersededBy, change.at, old.seq],
    );
    await this.#history(q, tenant, id, {
      event: 'INVALIDATE',
      oldText: old.v_text,
      newText: null,
      version: old.version,
      actor: change.actor,
      reason: change.reason,
      at: change.at,
    });
    return { record: await this.#record(q, tenant, id), previousText: old.v_text };
  }

  /** A user delete: out of every index, a DELETE event in history, the rows kept as a tombstone. */
  async tombstone(
    q: PgQuery,
    tenant: string,
    rows: MemoryVersionRow[],
    change: { at: string; actor?: string | null },
  ): Promise<void> {
    if (rows.length === 0) return;
    const ids = rows.map((r) => r.id);
    await q.run(
      `DELETE FROM memory_vectors e USING memory_versions v
       WHERE e.version_seq = v.seq AND v.memory_id = ANY($1::text[]) AND v.tenant = $2`,
      [ids, tenant],
    );
    await q.run(
      `UPDATE memories SET state = 'deleted', expired_at = $1, updated_at = $1 WHERE tenant = $2 AND id = ANY($3::text[])`,
      [change.at, tenant, ids],
    );
    await q.run(
      `UPDATE memory_versions SET expired_at = $1 WHERE seq = ANY($2::bigint[]) AND expired_at IS NULL`,
      [change.at, rows.map((r) => r.version_seq)],
    );
    await q.run(
      `UPDATE memory_versions SET indexed = false, embedding_model = NULL
       WHERE tenant = $1 AND memory_id = ANY($2::text[])`,
      [tenant, ids],
    );
    await q.run(
      `INSERT INTO history(tenant, memory_id, event, old_text, new_text, actor, reason, at, version)
       SELECT $1, r.id, 'DELETE', r.text, NULL, $2, NULL, $3, r.version
       FROM unnest($4::text[], $5::text[], $6::int[]) AS r(id, text, version)`,
      [tenant, change.actor ?? null, change.at, ids, rows.map((r) => r.v_text), rows.map((r) => r.version)],
    );
  }

  /** Each occurrence of an id is one access (the engine batches several searches into one call). */
  async recordAccess(q: PgQuery, tenant: string, ids: string[], at: string): Promise<void> {
    await q.run(
      `UPDATE memories SET access_count = access_count + hits.n, last_accessed_at = $1
       FROM (SELECT id, count(*) AS n FROM unnest($2::text[]) AS id GROUP BY id) AS hits
       WHERE memories.id = hits.id AND memories.tenant = $3`,
      [at, ids, tenant],
    );
  }
}
