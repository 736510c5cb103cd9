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
import type { PgConnection, PgQuery } from './pg-connection.js';
import { numbered } from './pg-sql.js';

const ENTITY_COLUMNS = 'id, name, type, summary, aliases, key, merged_into, created_at, updated_at';
const MAX_MERGE_DEPTH = 32;
/** By code point, as SQLite sorts, whatever the database's collation. */
const BY_NAME = 'ORDER BY name COLLATE "C", seq';

type EntityVectorRow = EntityRow & { vector: number[] | null };

/** The graph tables of the PostgreSQL schema (migration 3): the write `applyChanges` runs, and the reads. */
export class PgGraph implements GraphStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  /**
   * The graph part of an add, inside the caller's write transaction, after its memory changes:
   * entities (new, updated, merged), then relations, then the relations they close. Every id is
   * checked against the tenant and partition first; a foreign one fails the whole transaction.
   */
  async write(
    q: PgQuery,
    tenant: string,
    graph: GraphWrite,
    outcomes: readonly ChangeOutcome[],
  ): Promise<void> {
    const plan = planGraphWrite(tenant, graph, outcomes);
    if (plan.namedMemories.length > 0) {
      const found = await q.rows<{ id: string }>(
        'SELECT id FROM memories WHERE tenant = $1 AND id = ANY($2::text[])',
        [tenant, plan.namedMemories],
      );
      const ids = new Set(found.map((r) => r.id));
      const missing = plan.namedMemories.find((id) => !ids.has(id));
      if (missing !== undefined) throw memoryNotFound(missing);
    }
    for (const entity of plan.entities) await this.#writeEntity(q, tenant, plan, entity);
    for (const entity of plan.entities) {
      if (entity.mergedInto) await this.#merge(q, tenant, plan, entity.id, entity.mergedInto);
    }
    if (plan.endpoints.length > 0) {
      // Locked: an erasure running at the same moment cannot remove them under the new relations.
      const found = await q.rows<{ id: string }>(
        `SELECT id FROM entities WHERE tenant = $1 AND partition_key = $2 AND id = ANY($3::text[]) FOR SHARE`,
        [tenant, plan.partition, plan.endpoints],
      );
      const known = new Set(found.map((r) => r.id));
      const missing = plan.endpoints.find((id) => !known.has(id));
      if (missing !== undefined) throw entityNotFound(missing);
    }
    for (const r of plan.relations) {
      const inserted = await q.run(
        `INSERT INTO relations(id, tenant, partition_key, source_id, relationship, destination_id, fact, valid_from,
           valid_to, created_at, memory_id, message_refs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11, $12::jsonb)
         ON CONFLICT (id) DO NOTHING`,
        [
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
        ],
      );
      // The same write replayed (a job run again) finds its relation already there.
      if (inserted === 0 && !(await owns(q, 'relations', r.id, tenant, plan.partition))) {
        throw graphIdTaken('relation', r.id);
      }
    }
    // A close never deletes and never moves an end already set; it ends no earlier than the start.
    for (const c of plan.closes) {
      await q.run(
        `UPDATE relations SET valid_to = greatest($1::timestamptz, valid_from), closed_at = $2::timestamptz
         WHERE id = $3 AND tenant = $4 AND partition_key = $5 AND valid_to IS NULL`,
        [c.validTo, plan.at, c.id, tenant, plan.partition],
      );
    }
  }

  async #writeEntity(q: PgQuery, tenant: string, plan: GraphPlan, e: PlannedEntity): Promise<void> {
    const vector = e.vector ? Array.from(e.vector) : null;
    const aliases = JSON.stringify(e.aliases);
    if (e.isNew) {
      const inserted = await q.run(
        `INSERT INTO entities(id, tenant, partition_key, name, type, summary, aliases, key, vector, created_at,
           updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9::real[], $10::timestamptz, $10::timestamptz)
         ON CONFLICT (id) DO NOTHING`,
        [e.id, tenant, plan.partition, e.name, e.type, e.summary, aliases, e.key, vector, plan.at],
      );
      if (inserted === 1) {
        await setKeys(q, tenant, plan.partition, e.id, entityKeys(e.key, e.name, e.aliases));
        return;
      }
      // Already there: a replayed write (the same tenant and partition) updates it; else refused.
      if (!(await owns(q, 'entities', e.id, tenant, plan.partition))) throw graphIdTaken('entity', e.id);
    }
    // The name (and so its key) stays; the engine sends the full new alias list.
    const row = await q.one<{ name: string; key: string }>(
      `UPDATE entities SET type = $1, summary = coalesce($2, summary), aliases = $3::jsonb,
         vector = coalesce($4::real[], vector), updated_at = $5::timestamptz
       WHERE id = $6 AND tenant = $7 AND partition_key = $8 RETURNING name, key`,
      [e.type, e.summary, aliases, vector, plan.at, e.id, tenant, plan.partition],
    );
    if (!row) throw entityNotFound(e.id);
    await setKeys(q, tenant, plan.partition, e.id, entityKeys(row.key, row.name, e.aliases));
  }

  async #merge(
    q: PgQuery,
    tenant: string,
    plan: GraphPlan,
    id: string,
    into: { id: string; reason: string },
  ): Promise<void> {
    // The target must be of this partition, and must not already stand for the merged entity.
    let current: string | null = into.id;
    for (let depth = 0; current !== null && depth < MAX_MERGE_DEPTH; depth++) {
      if (current === id) throw mergeCycle(id, into.id);
      const row: { merged_into: string | null } | undefined = await q.one(
        'SELECT merged_into FROM entities WHERE id = $1 AND tenant = $2 AND partition_key = $3',
        [current, tenant, plan.partition],
      );
      if (!row) throw entityNotFound(current);
      current = row.merged_into;
    }
    const changed = await q.run(
      `UPDATE entities SET merged_into = $1, updated_at = $2::timestamptz
       WHERE id = $3 AND tenant = $4 AND partition_key = $5 AND merged_into IS DISTINCT FROM $1`,
      [into.id, plan.at, id, tenant, plan.partition],
    );
    if (changed === 0) return;
    await q.run(
      `INSERT INTO entity_merges(tenant, partition_key, from_id, into_id, reason, at)
       VALUES ($1, $2, $3, $4, $5, $6::timestamptz)`,
      [tenant, plan.partition, id, into.id, into.reason, plan.at],
    );
  }

  async entities(tenant: string, scope: GraphScope): Promise<EntityWithVector[]> {
    const partition = graphPartition(tenant, scope);
    const rows = await this.#connection.withClient((q) =>
      q.rows<EntityVectorRow>(
        `SELECT ${ENTITY_COLUMNS}, vector FROM entities WHERE tenant = $1 AND partition_key = $2
         AND merged_into IS NULL ${BY_NAME}`,
        [tenant, partition],
      ),
    );
    return rows.map((row) => toEntityWithVector(row, row.vector ? Float32Array.from(row.vector) : null));
  }

  async findEntities(tenant: string, scope: GraphScope, keys: string[]): Promise<EntityRecord[]> {
    const partition = graphPartition(tenant, scope);
    if (keys.length === 0) return [];
    return this.#connection.read(async (q) => {
      const hits = (
        await q.rows<{ entity_id: string }>(
          `SELECT DISTINCT entity_id FROM entity_keys WHERE tenant = $1 AND partition_key = $2
           AND key = ANY($3::text[])`,
          [tenant, partition, keys],
        )
      ).map((r) => r.entity_id);
      if (hits.length === 0) return [];
      const resolve = mergeResolver(await merges(q, tenant, partition));
      const rows = await q.rows<EntityRow>(
        `SELECT ${ENTITY_COLUMNS} FROM entities WHERE tenant = $1 AND partition_key = $2 AND merged_into IS NULL
         AND id = ANY($3::text[]) ${BY_NAME}`,
        [tenant, partition, [...new Set(hits.map(resolve))]],
      );
      return rows.map(toEntityRecord);
    });
  }

  async relations(tenant: string, scope: GraphScope, query: RelationQuery): Promise<RelationRecord[]> {
    const partition = graphPartition(tenant, scope);
    const now = new Date().toISOString();
    const knownAt = query.knownAt === undefined ? now : isoInstant(query.knownAt, 'knownAt');
    const asOf = query.asOf === undefined ? null : isoInstant(query.asOf, 'asOf');
    return this.#connection.read(async (q) => {
      const mergedInto = await merges(q, tenant, partition);
      const where = [
        `tenant = ? AND partition_key = ? AND created_at <= ?::timestamptz
         AND (expired_at IS NULL OR expired_at > ?::timestamptz)`,
        // An end recorded after knownAt was not known then: the relation still counts as open.
        '(valid_to IS NULL OR valid_to > ?::timestamptz OR closed_at > ?::timestamptz)',
      ];
      const params: unknown[] = [tenant, partition, knownAt, knownAt, asOf ?? now, knownAt];
      if (asOf !== null) {
        where.push('(valid_from IS NULL OR valid_from <= ?::timestamptz)');
        params.push(asOf);
      }
      if (query.entityIds !== undefined) {
        where.push('(source_id = ANY(?::text[]) OR destination_id = ANY(?::text[]))');
        const ids = idsResolvingTo(query.entityIds, mergedInto);
        params.push(ids, ids);
      }
      const rows = await q.rows<RelationRow>(
        numbered(
          `SELECT id, source_id, relationship, destination_id, fact, valid_from, valid_to, created_at, expired_at,
             memory_id, message_refs FROM relations WHERE ${where.join(' AND ')}
           ORDER BY created_at DESC, seq DESC LIMIT ?`,
        ),
        [...params, query.limit],
      );
      const resolve = mergeResolver(mergedInto);
      const ends = [...new Set(rows.flatMap((r) => [resolve(r.source_id), resolve(r.destination_id)]))];
      const names = new Map(
        (
          await q.rows<{ id: string; name: string }>(
            'SELECT id, name FROM entities WHERE tenant = $1 AND partition_key = $2 AND id = ANY($3::text[])',
            [tenant, partition, ends],
          )
        ).map((r) => [r.id, r.name]),
      );
      return rows.map((row) => toRelationRecord(row, resolve, names));
    });
  }

  async unmergeEntity(tenant: string, scope: GraphScope, id: string, at: string): Promise<void> {
    const partition = graphPartition(tenant, scope);
    const when = isoInstant(at, 'at');
    await this.#connection.write(async (q) => {
      const row = await q.one<{ merged_into: string | null }>(
        'SELECT merged_into FROM entities WHERE id = $1 AND tenant = $2 AND partition_key = $3 FOR UPDATE',
        [id, tenant, partition],
      );
      if (!row) throw entityNotFound(id);
      if (row.merged_into === null) return;
      await q.run('UPDATE entities SET merged_into = NULL, updated_at = $1::timestamptz WHERE id = $2', [
        when,
        id,
      ]);
      await q.run(
        `UPDATE entity_merges SET undone_at = $1::timestamptz WHERE seq = (SELECT max(seq) FROM entity_merges
           WHERE from_id = $2 AND tenant = $3 AND undone_at IS NULL)`,
        [when, id, tenant],
      );
    });
  }
}

/**
 * Removes a whole graph partition (erasure), inside the caller's transaction; relations and keys
 * go with their entities too, but are deleted first so no cascade has to look for them.
 */
export async function deleteGraphPartition(q: PgQuery, tenant: string, partition: string): Promise<void> {
  for (const table of ['relations', 'entity_merges', 'entity_keys', 'entities']) {
    await q.run(`DELETE FROM ${table} WHERE tenant = $1 AND partition_key = $2`, [tenant, partition]);
  }
}

async function owns(
  q: PgQuery,
  table: 'entities' | 'relations',
  id: string,
  tenant: string,
  partition: string,
): Promise<boolean> {
  const row = await q.one(`SELECT 1 FROM ${table} WHERE id = $1 AND tenant = $2 AND partition_key = $3`, [
    id,
    tenant,
    partition,
  ]);
  return row !== undefined;
}

async function setKeys(
  q: PgQuery,
  tenant: string,
  partition: string,
  id: string,
  keys: string[],
): Promise<void> {
  await q.run('DELETE FROM entity_keys WHERE entity_id = $1', [id]);
  await q.run(
    `INSERT INTO entity_keys(entity_id, tenant, partition_key, key) SELECT $1, $2, $3, k FROM unnest($4::text[]) AS k`,
    [id, tenant, partition, keys],
  );
}

/** Merged entity → the one it was merged into, for the partition (merges are few). */
async function merges(q: PgQuery, tenant: string, partition: string): Promise<Map<string, string>> {
  const rows = await q.rows<{ id: string; merged_into: string }>(
    'SELECT id, merged_into FROM entities WHERE tenant = $1 AND partition_key = $2 AND merged_into IS NOT NULL',
    [tenant, partition],
  );
  return new Map(rows.map((r) => [r.id, r.merged_into]));
}
