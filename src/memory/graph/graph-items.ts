import type { EntityRecord, RelationRecord } from '../../spec/graph.js';
import type { RelationItem } from '../api-types.js';

/** A relation in mem0's graph shape, with its world interval. */
export function toRelationItem(r: RelationRecord): RelationItem {
  return {
    source: r.source.name,
    relationship: r.relationship,
    destination: r.destination.name,
    valid_from: r.validFrom,
    valid_to: r.validTo,
  };
}

/** An entity as the API returns it. */
export interface EntityItem {
  id: string;
  name: string;
  type: string;
  summary: string | null;
  aliases: string[];
  created_at: string;
  updated_at: string;
}

export function toEntityItem(e: EntityRecord): EntityItem {
  return {
    id: e.id,
    name: e.name,
    type: e.type,
    summary: e.summary,
    aliases: e.aliases,
    created_at: e.createdAt,
    updated_at: e.updatedAt,
  };
}

/** A relation with everything the graph records: ids, fact, both time axes, provenance. */
export interface RelationDetail extends RelationItem {
  id: string;
  source_id: string;
  destination_id: string;
  fact: string;
  created_at: string;
  expired_at: string | null;
  memory_id: string | null;
  message_refs: string[];
}

export function toRelationDetail(r: RelationRecord): RelationDetail {
  return {
    id: r.id,
    ...toRelationItem(r),
    source_id: r.source.id,
    destination_id: r.destination.id,
    fact: r.fact,
    created_at: r.createdAt,
    expired_at: r.expiredAt,
    memory_id: r.memoryId,
    message_refs: r.messageRefs,
  };
}
