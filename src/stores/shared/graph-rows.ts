import type { EntityRecord, EntityWithVector, RelationRecord } from '../../spec/graph.js';
import { jsonColumn } from './json-column.js';

/** The entity columns both stores select (the vector's column type differs per store). */
export interface EntityRow {
  id: string;
  name: string;
  type: string;
  summary: string | null;
  aliases: unknown;
  key: string;
  merged_into: string | null;
  created_at: string;
  updated_at: string;
}

export interface RelationRow {
  id: string;
  source_id: string;
  relationship: string;
  destination_id: string;
  fact: string;
  valid_from: string | null;
  valid_to: string | null;
  created_at: string;
  expired_at: string | null;
  memory_id: string | null;
  message_refs: unknown;
}

export function toEntityRecord(row: EntityRow): EntityRecord {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    summary: row.summary,
    aliases: jsonColumn<string[]>(row.aliases),
    key: row.key,
    mergedInto: row.merged_into,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toEntityWithVector(row: EntityRow, vector: Float32Array | null): EntityWithVector {
  return { ...toEntityRecord(row), vector };
}

/**
 * A relation with both ends resolved through merges (`resolve`) and named after the entity each
 * end now stands for (`names`; an end whose entity has no name there keeps its id as the name).
 */
export function toRelationRecord(
  row: RelationRow,
  resolve: (id: string) => string,
  names: ReadonlyMap<string, string>,
): RelationRecord {
  const end = (id: string) => {
    const resolved = resolve(id);
    return { id: resolved, name: names.get(resolved) ?? resolved };
  };
  return {
    id: row.id,
    source: end(row.source_id),
    relationship: row.relationship,
    destination: end(row.destination_id),
    fact: row.fact,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdAt: row.created_at,
    expiredAt: row.expired_at,
    memoryId: row.memory_id,
    messageRefs: jsonColumn<string[]>(row.message_refs),
  };
}

/** Chains longer than this are cut (a merge cycle written outside engram cannot loop a read). */
const MAX_MERGE_DEPTH = 32;

/**
 * The entity an id stands for, following `mergedInto` (id → target) to its end: merges may chain
 * (A into B, later B into C), and a read resolves A to C.
 */
export function mergeResolver(mergedInto: ReadonlyMap<string, string>): (id: string) => string {
  return (id) => {
    let current = id;
    for (let depth = 0; depth < MAX_MERGE_DEPTH; depth++) {
      const next = mergedInto.get(current);
      if (next === undefined || next === id) return current;
      current = next;
    }
    return current;
  };
}

/**
 * The ids a filter on `targets` must match once merges are resolved: the targets' own ends and
 * every merged id that resolves to one of them.
 */
export function idsResolvingTo(
  targets: readonly string[],
  mergedInto: ReadonlyMap<string, string>,
): string[] {
  const resolve = mergeResolver(mergedInto);
  const ends = new Set(targets.map(resolve));
  const ids = new Set(ends);
  for (const id of mergedInto.keys()) if (ends.has(resolve(id))) ids.add(id);
  return [...ids];
}
