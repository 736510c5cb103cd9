import type {
  EntityRecord,
  EntityWithVector,
  GraphScope,
  GraphStore,
  GraphWrite,
  RelationQuery,
  RelationRecord,
} from '../../spec/graph.js';
import type { ChangeOutcome } from '../../spec/store.js';
import {
  entityKeys,
  entityNotFound,
  type GraphPlan,
  graphIdTaken,
  graphPartition,
  isoInstant,
  mergeCycle,
  type PlannedEntity,
  planGraphWrite,
} from '../shared/graph-plan.js';
import {
  type EntityRow,
  idsResolvingTo,
  mergeResolver,
  type RelationRow,
  toEntityRecord,
  toEntityWithVector,
  toRelationRecord,
} from '../shared/graph-rows.js';
import { memoryNotFound } from '../shared/store-errors.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { toBuffer } from './sqlite-vectors.js';

const ENTITY_COLUMNS = 'id, name, type, summary, aliases, key, merged_into, created_at, updated_at';
const MAX_MERGE_DEPTH = 32;

type EntityVectorRow = EntityRow & { vector: Buffer | null };

/** The graph tables of the SQLite file (migration 9): the write `applyChanges` runs, and the reads. */
export class SqliteGraph implements GraphStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  get #db() {
    return this.#connection.db;
  }

  /**
   * The graph part of an add, inside the caller's write transaction, after its memory changes:
   * entities (new, updated, merged), then relations, then the relations they close. Every id is
   * checked against the tenant and partition first; a foreign one fails the whole transaction.
   */
  write(tenant: string, graph: GraphWrite, outcomes: readonly ChangeOutcome[]): void {
    const plan = planGraphWrite(tenant, graph, outcomes);
    for (const id of plan.namedMemories) {
      if (!this.#db.prepare('SELECT 1 FROM memories WHERE id = ? AND tenant = ?').get(id, tenant)) {
        throw memoryNotFound(id);
      }
    }
    for (const entity of plan.entities) this.#writeEntity(tenant, plan, entity);
    for (const entity of plan.entities) {
      if (entity.mergedInto) this.#merge(tenant, plan, entity.id, entity.mergedInto);
    }
    const known = new Set(
      (
        this.#db
          .prepare(
            'SELECT id FROM entities WHERE tenant = ? AND partition_key = ? AND id IN (SELECT value FROM json_each(?))',
          )
          .all(tenant, plan.partition, JSON.stringify(plan.endpoints)) as { id: string }[]
      ).map((r) => r.id),
    );
    const missing = plan.endpoints.find((id) => !known.has(id));
    if (missing !== undefined) throw entityNotFound(missing);
    const insert = this.#db.prepare(
      `INSERT INTO relations(id, tenant, partition_key, source_id, relationship, destination_id, fact, valid_from,
         valid_to, created_at, memory_id, message_refs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    );
    for (const r of plan.relations) {
      const { changes } = insert.run(
        r.id,
        tenant,
        plan.partition,
        r.sourceId,
        r.relationship,
        r.destinationId,
        r.fact,
        r.validFrom,
        r.validTo,
        plan.at,
        r.memoryId,
        JSON.stringify(r.messageRefs),
      );
      // The same write replayed (a job run again) finds its relation already there.
      if (changes === 0 && !this.#owns('relations', r.id, tenant, plan.partition)) {
        throw graphIdTaken('relation', r.id);
      }
    }
    // A close never deletes and never moves an end already set; it ends no earlier than the start.
    const close = this.#db.prepare(
      `UPDATE relations SET valid_to = CASE WHEN valid_from > ? THEN valid_from ELSE ? END, closed_at = ?
       WHERE id = ? AND tenant = ? AND partition_key = ? AND valid_to IS NULL`,
    );
    for (const c of plan.closes) close.run(c.validTo, c.validTo, plan.at, c.id, tenant, plan.partition);
  }

  #owns(table: 'entities' | 'relations', id: string, tenant: string, partition: string): boolean {
    return (
      this.#db
        .prepare(`SELECT 1 FROM ${table} WHERE id = ? AND tenant = ? AND partition_key = ?`)
        .get(id, tenant, partition) !== undefined
    );
  }

  #writeEntity(tenant: string, plan: GraphPlan, e: PlannedEntity): void {
    const vector = e.vector ? toBuffer(e.vector) : null;
    const aliases = JSON.stringify(e.aliases);
    if (e.isNew) {
      const { changes } = this.#db
        .prepare(
          `INSERT INTO entities(id, tenant, partition_key, name, type, summary, aliases, key, vector, created_at,
             updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
        )
        .run(
          e.id,
          tenant,
          plan.partition,
          e.name,
          e.type,
          e.summary,
          aliases,
          e.key,
          vector,
          plan.at,
          plan.at,
        );
      if (changes === 1) {
        this.#setKeys(tenant, plan.partition, e.id, entityKeys(e.key, e.name, e.aliases));
        return;
      }
      // Already there: a replayed write (the same tenant and partition) updates it; else refused.
      if (!this.#owns('entities', e.id, tenant, plan.partition)) throw graphIdTaken('entity', e.id);
    }
    // The name (and so its key) stays; the engine sends the full new alias list.
    const row = this.#db
      .prepare(
        `UPDATE entities SET type = ?, summary = coalesce(?, summary), aliases = ?, vector = coalesce(?, vector),
           updated_at = ? WHERE id = ? AND tenant = ? AND partition_key = ? RETURNING name, key`,
      )
      .get(e.type, e.summary, aliases, vector, plan.at, e.id, tenant, plan.partition) as
      | { name: string; key: string }
      | undefined;
    if (!row) throw entityNotFound(e.id);
    this.#setKeys(tenant, plan.partition, e.id, entityKeys(row.key, row.name, e.aliases));
  }

  #setKeys(tenant: string, partition: string, id: string, keys: string[]): void {
    this.#db.prepare('DELETE FROM entity_keys WHERE entity_id = ?').run(id);
    const insert = this.#db.prepare(
      'INSERT INTO entity_keys(entity_id, tenant, partition_key, key) VALUES (?, ?, ?, ?)',
    );
    for (const key of keys) insert.run(id, tenant, partition, key);
  }

  #merge(tenant: string, plan: GraphPlan, id: string, into: { id: string; reason: string }): void {
    const target = this.#db.prepare(
      'SELECT merged_into FROM entities WHERE id = ? AND tenant = ? AND partition_key = ?',
    );
    // The target must be of this partition, and must not already stand for the merged entity.
    let current: string | null = into.id;
    for (let depth = 0; current !== null && depth < MAX_MERGE_DEPTH; depth++) {
      if (current === id) throw mergeCycle(id, into.id);
      const row = target.get(current, tenant, plan.partition) as { merged_into: string | null } | undefined;
      if (!row) throw entityNotFound(current);
      current = row.merged_into;
    }
    const changed = this.#db
      .prepare(
        `UPDATE entities SET merged_into = ?, updated_at = ? WHERE id = ? AND tenant = ? AND partition_key = ?
         AND merged_into IS NOT ?`,
      )
      .run(into.id, plan.at, id, tenant, plan.partition, into.id).changes;
    if (changed === 0) return;
    this.#db
      .prepare(
        'INSERT INTO entity_merges(tenant, partition_key, from_id, into_id, reason, at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(tenant, plan.partition, id, into.id, into.reason, plan.at);
  }

  async entities(tenant: string, scope: GraphScope): Promise<EntityWithVector[]> {
    const partition = graphPartition(tenant, scope);
    const rows = this.#db
      .prepare(
        `SELECT ${ENTITY_COLUMNS}, vector FROM entities WHERE tenant = ? AND partition_key = ?
         AND merged_into IS NULL ORDER BY name, seq`,
      )
      .all(tenant, partition) as EntityVectorRow[];
    return rows.map((row) => toEntityWithVector(row, row.vector ? fromBuffer(row.vector) : null));
  }

  async findEntities(tenant: string, scope: GraphScope, keys: string[]): Promise<EntityRecord[]> {
    const partition = graphPartition(tenant, scope);
    if (keys.length === 0) return [];
    return this.#connection.read(() => {
      const hits = (
        this.#db
          .prepare(
            `SELECT DISTINCT entity_id FROM entity_keys WHERE tenant = ? AND partition_key = ?
             AND key IN (SELECT value FROM json_each(?))`,
          )
          .all(tenant, partition, JSON.stringify(keys)) as { entity_id: string }[]
      ).map((r) => r.entity_id);
      if (hits.length === 0) return [];
      const resolve = mergeResolver(this.#merges(tenant, partition));
      const rows = this.#db
        .prepare(
          `SELECT ${ENTITY_COLUMNS} FROM entities WHERE tenant = ? AND partition_key = ? AND merged_into IS NULL
           AND id IN (SELECT value FROM json_each(?)) ORDER BY name, seq`,
        )
        .all(tenant, partition, JSON.stringify([...new Set(hits.map(resolve))])) as EntityRow[];
      return rows.map(toEntityRecord);
    });
  }

  async relations(tenant: string, scope: GraphScope, query: RelationQuery): Promise<RelationRecord[]> {
    const partition = graphPartition(tenant, scope);
    const now = new Date().toISOString();
    const knownAt = query.knownAt === undefined ? now : isoInstant(query.knownAt, 'knownAt');
    const asOf = query.asOf === undefined ? null : isoInstant(query.asOf, 'asOf');
    return this.#connection.read(() => {
      const merges = this.#merges(tenant, partition);
      const where = [
        'tenant = ? AND partition_key = ? AND created_at <= ? AND (expired_at IS NULL OR expired_at > ?)',
        // An end recorded after knownAt was not known then: the relation still counts as open.
        '(valid_to IS NULL OR valid_to > ? OR closed_at > ?)',
      ];
      const params: unknown[] = [tenant, partition, knownAt, knownAt, asOf ?? now, knownAt];
      if (asOf !== null) {
        where.push('(valid_from IS NULL OR valid_from <= ?)');
        params.push(asOf);
      }
      if (query.entityIds !== undefined) {
        const ids = JSON.stringify(idsResolvingTo(query.entityIds, merges));
        where.push(
          '(source_id IN (SELECT value FROM json_each(?)) OR destination_id IN (SELECT value FROM json_each(?)))',
        );
        params.push(ids, ids);
      }
      const rows = this.#db
        .prepare(
          `SELECT id, source_id, relationship, destination_id, fact, valid_from, valid_to, created_at, expired_at,
             memory_id, message_refs FROM relations WHERE ${where.join(' AND ')}
           ORDER BY created_at DESC, seq DESC LIMIT ?`,
        )
        .all(...params, query.limit) as RelationRow[];
      const resolve = mergeResolver(merges);
      const ends = [...new Set(rows.flatMap((r) => [resolve(r.source_id), resolve(r.destination_id)]))];
      const names = new Map(
        (
          this.#db
            .prepare(
              `SELECT id, name FROM entities WHERE tenant = ? AND partition_key = ?
               AND id IN (SELECT value FROM json_each(?))`,
            )
            .all(tenant, partition, JSON.stringify(ends)) as { id: string; name: string }[]
        ).map((r) => [r.id, r.name]),
      );
      return rows.map((row) => toRelationRecord(row, resolve, names));
    });
  }

  async unmergeEntity(tenant: string, scope: GraphScope, id: string, at: string): Promise<void> {
    const partition = graphPartition(tenant, scope);
    const when = isoInstant(at, 'at');
    this.#connection.write(() => {
      const row = this.#db
        .prepare('SELECT merged_into FROM entities WHERE id = ? AND tenant = ? AND partition_key = ?')
        .get(id, tenant, partition) as { merged_into: string | null } | undefined;
      if (!row) throw entityNotFound(id);
      if (row.merged_into === null) return;
      this.#db.prepare('UPDATE entities SET merged_into = NULL, updated_at = ? WHERE id = ?').run(when, id);
      this.#db
        .prepare(
          `UPDATE entity_merges SET undone_at = ? WHERE seq = (SELECT max(seq) FROM entity_merges
             WHERE from_id = ? AND tenant = ? AND undone_at IS NULL)`,
        )
        .run(when, id, tenant);
    });
  }

  /** Merged entity → the one it was merged into, for the partition (merges are few). */
  #merges(tenant: string, partition: string): Map<string, string> {
    const rows = this.#db
      .prepare(
        `SELECT id, merged_into FROM entities WHERE tenant = ? AND partition_key = ? AND merged_into IS NOT NULL`,
      )
      .all(tenant, partition) as { id: string; merged_into: string }[];
    return new Map(rows.map((r) => [r.id, r.merged_into]));
  }
}

/**
 * Removes a whole graph partition (erasure), inside the caller's transaction; relations and keys
 * go with their entities too, but are deleted first so no cascade has to look for them.
 */
export function deleteGraphPartition(connection: SqliteConnection, tenant: string, partition: string): void {
  for (const table of ['relations', 'entity_merges', 'entity_keys', 'entities']) {
    connection.db
      .prepare(`DELETE FROM ${table} WHERE tenant = ? AND partition_key = ?`)
      .run(tenant, partition);
  }
}

function fromBuffer(buffer: Buffer): Float32Array {
  // A copy: the blob's bytes need not be aligned for a Float32Array view.
  return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}
