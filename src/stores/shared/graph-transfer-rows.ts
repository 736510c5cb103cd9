import { MemoryError } from '../../spec/memory-error.js';
import type { EntityRowOut, GraphOwnerOut, MergeRowOut, RelationRowOut } from '../../spec/store-transfer.js';
import { jsonColumn } from './json-column.js';
import { partitionKey } from './partition-key.js';

/*
 * Graph rows of either backend in the neutral shape of `engram migrate` and `engram export`
 * (spec/store-transfer.ts). As for memories, the columns are named alike in both stores; these
 * mappers absorb how values arrive (JSON as text or parsed), so both export the same rows.
 */

interface Partitioned {
  tenant: string;
  partition_key: string;
}

export interface EntityTransferRow extends Partitioned {
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

export interface MergeTransferRow extends Partitioned {
  from_id: string;
  into_id: string;
  reason: string | null;
  at: string;
  undone_at: string | null;
}

export interface RelationTransferRow extends Partitioned {
  id: string;
  source_id: string;
  relationship: string;
  destination_id: string;
  fact: string;
  valid_from: string | null;
  valid_to: string | null;
  created_at: string;
  expired_at: string | null;
  closed_at: string | null;
  memory_id: string | null;
  message_refs: unknown;
}

/**
 * The owner a partition key names (partition-key.ts: `tenant␟u␟user`, `␟a␟agent`, `␟r␟run`).
 * A key engram did not write is refused rather than guessed: the copy would land elsewhere.
 */
export function graphOwner(tenant: string, partition: string): GraphOwnerOut {
  const prefix = `${tenant}\u001f`;
  const kind = partition.slice(prefix.length, prefix.length + 1);
  const id = partition.slice(prefix.length + 2);
  const owner: GraphOwnerOut = {
    tenant,
    userId: kind === 'u' ? id : null,
    agentId: kind === 'a' ? id : null,
    runId: kind === 'r' ? id : null,
  };
  if (!partition.startsWith(prefix) || ownerPartition(owner) !== partition) {
    throw new MemoryError(
      'store_error',
      `A graph row of tenant ${tenant} has the partition key ${JSON.stringify(partition)}, which names no user, agent or run, so it cannot be copied. Run \`engram doctor\` on the source.`,
      { details: { tenant, partition } },
    );
  }
  return owner;
}

/** The partition key a graph row is written under in the target. */
export function ownerPartition(owner: GraphOwnerOut): string {
  return partitionKey(owner.tenant, owner);
}

export function toEntityOut(row: EntityTransferRow, vector: number[] | null, keys: string[]): EntityRowOut {
  return {
    ...graphOwner(row.tenant, row.partition_key),
    id: row.id,
    name: row.name,
    type: row.type,
    summary: row.summary,
    aliases: jsonColumn<string[]>(row.aliases),
    key: row.key,
    keys,
    vector,
    mergedInto: row.merged_into,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toMergeOut(row: MergeTransferRow): MergeRowOut {
  return {
    ...graphOwner(row.tenant, row.partition_key),
    fromId: row.from_id,
    intoId: row.into_id,
    reason: row.reason,
    at: row.at,
    undoneAt: row.undone_at,
  };
}

export function toRelationOut(row: RelationTransferRow): RelationRowOut {
  return {
    ...graphOwner(row.tenant, row.partition_key),
    id: row.id,
    sourceId: row.source_id,
    relationship: row.relationship,
    destinationId: row.destination_id,
    fact: row.fact,
    validFrom: row.valid_from,
    validTo: row.valid_to,
    createdAt: row.created_at,
    expiredAt: row.expired_at,
    closedAt: row.closed_at,
    memoryId: row.memory_id,
    messageRefs: jsonColumn<string[]>(row.message_refs),
  };
}

/** A float32 vector as the neutral numbers: each value the exact float32, whatever the store gave. */
export function float32Values(values: ArrayLike<number>): number[] {
  return Array.from(Float32Array.from(values));
}

/** An entity whose mergedInto is not in the target yet: linked when it arrives. */
export interface EntityLink {
  id: string;
  into: string;
}

/** Where the links of an import wait (a meta key beside its progress mark). */
export function linksKey(progressKey: string): string {
  return `${progressKey}:links`;
}

export function parseLinks(text: string | null | undefined): EntityLink[] {
  if (!text) return [];
  return JSON.parse(text) as EntityLink[];
}

/**
 * The links to try after a page of entities: those still waiting, then the page's new entities
 * that were merged in the source. Entities are inserted unmerged, since a merge target may come
 * in a later page (merges point either way in seq order), and linked once their target is there.
 */
export function linksToTry(waiting: string | null | undefined, fresh: readonly EntityRowOut[]): EntityLink[] {
  return [
    ...parseLinks(waiting),
    ...fresh.flatMap((e) => (e.mergedInto === null ? [] : [{ id: e.id, into: e.mergedInto }])),
  ];
}
