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
import type { SqliteConnection } from './sqlite-connection.js';
import { toBuffer } from './sqlite-vectors.js';

type Positioned<T> = T & { position: number };

/**
 * The graph half of SqliteTransfer (migration 9's tables): pages in seq order, and idempotent
 * imports inside the caller's write transaction. Imported rows get new seqs; what they say (both
 * time axes, provenance, the merge log) is copied as stored.
 */
export function graphPage(
  connection: SqliteConnection,
  kind: GraphTransferKind,
  after: number,
  limit: number,
): Positioned<TransferRows[GraphTransferKind]>[] {
  const db = connection.db;
  const rows = <T>(table: string) =>
    db
      .prepare(`SELECT *, seq AS position FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`)
      .all(after, limit) as Positioned<T>[];
  switch (kind) {
    case 'entities': {
      const entities = rows<EntityTransferRow & { vector: Buffer | null }>('entities');
      const keys = db.prepare('SELECT key FROM entity_keys WHERE entity_id = ? ORDER BY key');
      return entities.map(({ vector, ...e }) => ({
        ...toEntityOut(e, vector === null ? null : fromBlob(vector), keysOf(keys.all(e.id))),
        position: e.position,
      }));
    }
    case 'merges':
      return rows<MergeTransferRow>('entity_merges').map((r) => ({ ...toMergeOut(r), position: r.position }));
    case 'relations':
      return rows<RelationTransferRow>('relations').map((r) => ({
        ...toRelationOut(r),
        position: r.position,
      }));
  }
}

/** Inside the caller's write transaction; `progressKey` names where links to later entities wait. */
export function importGraph(
  connection: SqliteConnection,
  kind: GraphTransferKind,
  rows: TransferRows[GraphTransferKind][],
  progressKey: string,
): number {
  switch (kind) {
    case 'entities':
      return importEntities(connection, rows as EntityRowOut[], progressKey);
    case 'merges':
      return importMerges(connection, rows as MergeRowOut[]);
    case 'relations':
      return importRelations(connection, rows as RelationRowOut[]);
  }
}

/** Entities already there (same id) are skipped, their keys and merge left as the target has them. */
function importEntities(connection: SqliteConnection, rows: EntityRowOut[], progressKey: string): number {
  const db = connection.db;
  const insert = db.prepare(
    `INSERT INTO entities(id, tenant, partition_key, name, type, summary, aliases, key, vector, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  );
  const insertKey = db.prepare(
    'INSERT INTO entity_keys(entity_id, tenant, partition_key, key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const fresh: EntityRowOut[] = [];
  for (const e of rows) {
    const partition = ownerPartition(e);
    const vector = e.vector === null ? null : toBuffer(Float32Array.from(e.vector));
    const { changes } = insert.run(
      e.id,
      e.tenant,
      partition,
      e.name,
      e.type,
      e.summary,
      JSON.stringify(e.aliases),
      e.key,
      vector,
      e.createdAt,
      e.updatedAt,
    );
    if (changes === 0) continue;
    for (const key of e.keys) insertKey.run(e.id, e.tenant, partition, key);
    fresh.push(e);
  }
  const key = linksKey(progressKey);
  const waiting = connection.getMeta(key);
  const links = linksToTry(waiting, fresh);
  // The merge is the source's state: set without touching updated_at, and only where the target is.
  const link = db.prepare(
    `UPDATE entities SET merged_into = ? WHERE id = ? AND merged_into IS NULL
     AND EXISTS (SELECT 1 FROM entities WHERE id = ?)`,
  );
  const exists = db.prepare('SELECT 1 FROM entities WHERE id = ?');
  const left = links.filter((l) => link.run(l.into, l.id, l.into).changes === 0 && !exists.get(l.into));
  if (left.length > 0 || waiting) connection.setMeta(key, left.length > 0 ? JSON.stringify(left) : '');
  return fresh.length;
}

/** The log has no id: an entry with the same entities and instant is already there. */
function importMerges(connection: SqliteConnection, rows: MergeRowOut[]): number {
  const insert = connection.db.prepare(
    `INSERT INTO entity_merges(tenant, partition_key, from_id, into_id, reason, at, undone_at)
     SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (
       SELECT 1 FROM entity_merges WHERE from_id = ? AND into_id = ? AND at = ? AND tenant = ?)`,
  );
  let written = 0;
  for (const m of rows) {
    written += insert.run(
      m.tenant,
      ownerPartition(m),
      m.fromId,
      m.intoId,
      m.reason,
      m.at,
      m.undoneAt,
      m.fromId,
      m.intoId,
      m.at,
      m.tenant,
    ).changes;
  }
  return written;
}

function importRelations(connection: SqliteConnection, rows: RelationRowOut[]): number {
  const insert = connection.db.prepare(
    `INSERT INTO relations(id, tenant, partition_key, source_id, relationship, destination_id, fact, valid_from,
       valid_to, created_at, expired_at, closed_at, memory_id, message_refs)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
  );
  let written = 0;
  for (const r of rows) {
    written += insert.run(
      r.id,
      r.tenant,
      ownerPartition(r),
      r.sourceId,
      r.relationship,
      r.destinationId,
      r.fact,
      r.validFrom,
      r.validTo,
      r.createdAt,
      r.expiredAt,
      r.closedAt,
      r.memoryId,
      JSON.stringify(r.messageRefs),
    ).changes;
  }
  return written;
}

function keysOf(rows: unknown[]): string[] {
  return (rows as { key: string }[]).map((r) => r.key);
}

/** Copied into a fresh buffer: a blob's offset need not be aligned for a Float32Array view. */
function fromBlob(blob: Buffer): number[] {
  return float32Values(new Float32Array(new Uint8Array(blob).buffer));
}
