import type {
  EntityRowOut,
  GraphTransferKind,
  MergeRowOut,
  RelationRowOut,
  TransferRows,
} from '../../spec/store-transfer.js';
import {
  type EntityTransferRow,
  float32Values,
  linksKey,
  linksToTry,
  type MergeTransferRow,
  ownerPartition,
  type RelationTransferRow,
  toEntityOut,
  toMergeOut,
  toRelationOut,
} from '../shared/graph-transfer-rows.js';
import type { PgQuery } from './pg-connection.js';
import { groupBy, unnest } from './pg-transfer-import.js';

type Positioned<T> = T & { position: number };

/**
 * The graph half of PgTransfer (migration 3's tables): pages in seq order, and idempotent imports
 * of a few bulk statements inside the caller's transaction. Imported rows get new seqs; what they
 * say (both time axes, provenance, the merge log) is copied as stored.
 */
export async function graphPage(
  q: PgQuery,
  kind: GraphTransferKind,
  after: number,
  limit: number,
): Promise<Positioned<TransferRows[GraphTransferKind]>[]> {
  const rows = <T>(table: string) =>
    q.rows<Positioned<T>>(`SELECT *, seq AS position FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT $2`, [
      after,
      limit,
    ]);
  switch (kind) {
    case 'entities': {
      const entities = await rows<EntityTransferRow & { vector: number[] | null }>('entities');
      if (entities.length === 0) return [];
      // By code point, as SQLite orders them.
      const keys = await q.rows<{ entity_id: string; key: string }>(
        'SELECT entity_id, key FROM entity_keys WHERE entity_id = ANY($1::text[]) ORDER BY entity_id, key COLLATE "C"',
        [entities.map((e) => e.id)],
      );
      const keysOf = groupBy(keys, (k) => k.entity_id);
      return entities.map(({ vector, ...e }) => ({
        ...toEntityOut(
          e,
          vector === null ? null : float32Values(vector),
          (keysOf.get(e.id) ?? []).map((k) => k.key),
        ),
        position: e.position,
      }));
    }
    case 'merges':
      return (await rows<MergeTransferRow>('entity_merges')).map((r) => ({
        ...toMergeOut(r),
        position: r.position,
      }));
    case 'relations':
      return (await rows<RelationTransferRow>('relations')).map((r) => ({
        ...toRelationOut(r),
        position: r.position,
      }));
  }
}

/** Inside the caller's transaction; `progressKey` names where links to later entities wait. */
export async function importGraph(
  q: PgQuery,
  kind: GraphTransferKind,
  rows: TransferRows[GraphTransferKind][],
  progressKey: string,
): Promise<number> {
  switch (kind) {
    case 'entities':
      return importEntities(q, rows as EntityRowOut[], progressKey);
    case 'merges':
      return importMerges(q, rows as MergeRowOut[]);
    case 'relations':
      return importRelations(q, rows as RelationRowOut[]);
  }
}

/** Entities already there (same id) are skipped, their keys and merge left as the target has them. */
async function importEntities(q: PgQuery, rows: EntityRowOut[], progressKey: string): Promise<number> {
  const e = unnest<EntityRowOut>(rows, [
    ['id', 'text', (r) => r.id],
    ['tenant', 'text', (r) => r.tenant],
    ['partition_key', 'text', (r) => ownerPartition(r)],
    ['name', 'text', (r) => r.name],
    ['type', 'text', (r) => r.type],
    ['summary', 'text', (r) => r.summary],
    ['aliases', 'jsonb', (r) => JSON.stringify(r.aliases)],
    ['key', 'text', (r) => r.key],
    // Vectors differ in width: each travels as its array literal (unnest would flatten a real[][]).
    ['vector', 'text', (r) => (r.vector === null ? null : `{${r.vector.join(',')}}`)],
    ['created_at', 'timestamptz', (r) => r.createdAt],
    ['updated_at', 'timestamptz', (r) => r.updatedAt],
  ]);
  const inserted = new Set(
    (
      await q.rows<{ id: string }>(
        `INSERT INTO entities(${e.names})
         SELECT id, tenant, partition_key, name, type, summary, aliases, key, vector::real[], created_at, updated_at
         FROM ${e.from} ORDER BY r.ord ON CONFLICT (id) DO NOTHING RETURNING id`,
        e.params,
      )
    ).map((r) => r.id),
  );
  const fresh = rows.filter((r) => inserted.has(r.id));
  const keys = fresh.flatMap((r) => r.keys.map((key) => ({ key, entity: r })));
  if (keys.length > 0) {
    const k = unnest<(typeof keys)[number]>(keys, [
      ['entity_id', 'text', (r) => r.entity.id],
      ['tenant', 'text', (r) => r.entity.tenant],
      ['partition_key', 'text', (r) => ownerPartition(r.entity)],
      ['key', 'text', (r) => r.key],
    ]);
    await q.run(
      `INSERT INTO entity_keys(${k.names}) SELECT ${k.names} FROM ${k.from} ON CONFLICT DO NOTHING`,
      k.params,
    );
  }
  await linkEntities(q, fresh, linksKey(progressKey));
  return fresh.length;
}

/** Sets the source's merges whose target is there now; the others wait under `key` for a later page. */
async function linkEntities(q: PgQuery, fresh: EntityRowOut[], key: string): Promise<void> {
  const waiting = (await q.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]))?.value;
  const links = linksToTry(waiting, fresh);
  if (links.length === 0) return;
  const ids = links.map((l) => l.id);
  const targets = links.map((l) => l.into);
  // Without touching updated_at: the merge is the source's state, not a new write.
  await q.run(
    `UPDATE entities e SET merged_into = l.into_id FROM unnest($1::text[], $2::text[]) AS l(id, into_id)
     WHERE e.id = l.id AND e.merged_into IS NULL AND EXISTS (SELECT 1 FROM entities t WHERE t.id = l.into_id)`,
    [ids, targets],
  );
  const present = new Set(
    (await q.rows<{ id: string }>('SELECT id FROM entities WHERE id = ANY($1::text[])', [targets])).map(
      (r) => r.id,
    ),
  );
  const left = links.filter((l) => !present.has(l.into));
  if (left.length === 0 && !waiting) return;
  await q.run(
    'INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    [key, left.length > 0 ? JSON.stringify(left) : ''],
  );
}

/** The log has no id: an entry with the same entities and instant is already there. */
async function importMerges(q: PgQuery, rows: MergeRowOut[]): Promise<number> {
  const m = unnest<MergeRowOut>(rows, [
    ['tenant', 'text', (r) => r.tenant],
    ['partition_key', 'text', (r) => ownerPartition(r)],
    ['from_id', 'text', (r) => r.fromId],
    ['into_id', 'text', (r) => r.intoId],
    ['reason', 'text', (r) => r.reason],
    ['at', 'timestamptz', (r) => r.at],
    ['undone_at', 'timestamptz', (r) => r.undoneAt],
  ]);
  return q.run(
    `INSERT INTO entity_merges(${m.names}) SELECT ${m.names} FROM ${m.from}
     WHERE NOT EXISTS (SELECT 1 FROM entity_merges x WHERE x.from_id = r.from_id AND x.into_id = r.into_id
       AND x.at = r.at AND x.tenant = r.tenant)
     ORDER BY r.ord`,
    m.params,
  );
}

async function importRelations(q: PgQuery, rows: RelationRowOut[]): Promise<number> {
  const rel = unnest<RelationRowOut>(rows, [
    ['id', 'text', (x) => x.id],
    ['tenant', 'text', (x) => x.tenant],
    ['partition_key', 'text', (x) => ownerPartition(x)],
    ['source_id', 'text', (x) => x.sourceId],
    ['relationship', 'text', (x) => x.relationship],
    ['destination_id', 'text', (x) => x.destinationId],
    ['fact', 'text', (x) => x.fact],
    ['valid_from', 'timestamptz', (x) => x.validFrom],
    ['valid_to', 'timestamptz', (x) => x.validTo],
    ['created_at', 'timestamptz', (x) => x.createdAt],
    ['expired_at', 'timestamptz', (x) => x.expiredAt],
    ['closed_at', 'timestamptz', (x) => x.closedAt],
    ['memory_id', 'text', (x) => x.memoryId],
    ['message_refs', 'jsonb', (x) => JSON.stringify(x.messageRefs)],
  ]);
  return q.run(
    `INSERT INTO relations(${rel.names}) SELECT ${rel.names} FROM ${rel.from} ORDER BY r.ord
     ON CONFLICT (id) DO NOTHING`,
    rel.params,
  );
}
