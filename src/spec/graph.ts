/**
 * The temporal graph kept beside the memories, in the same store (docs/graph.md): entities of a
 * scope and bi-temporal relations between them, each pointing back to the memory and messages it
 * came from. Written only inside `applyChanges` (so a graph never drifts from its memories); read
 * through GraphStore.
 */

/**
 * The scope a graph belongs to. Like vector partitions (stores/shared/partition-key.ts), a graph
 * belongs to the scope's owner — the user when there is one, else the agent, else the run — so a
 * graph written for {user alice, agent bot} is read with {user alice}.
 */
export interface GraphScope {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
}

export interface EntityRecord {
  id: string;
  name: string;
  /** person, place, organisation, thing, event, concept or other. */
  type: string;
  summary: string | null;
  aliases: string[];
  /** The name normalised for matching (entityKey). */
  key: string;
  /** The entity this one was merged into (reads resolve through it), or null. */
  mergedInto: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An entity with the vector of its name, for resolution by similarity. */
export interface EntityWithVector extends EntityRecord {
  vector: Float32Array | null;
}

export interface RelationRecord {
  id: string;
  /** Resolved through merges: the entity a merged one now stands for. */
  source: { id: string; name: string };
  relationship: string;
  destination: { id: string; name: string };
  fact: string;
  /** World time: when the relation held (null: unknown start / still holds). */
  validFrom: string | null;
  validTo: string | null;
  /** System time: when engram learned it, and when it stopped believing it (null: still does). */
  createdAt: string;
  expiredAt: string | null;
  /** Provenance: the memory it came from (null when none was stored) and the messages. */
  memoryId: string | null;
  messageRefs: string[];
}

/** A memory named in a change list: an id, or the index of an earlier change (an insert). */
export type MemoryRef = string | { change: number };

export interface EntityWrite {
  id: string;
  /** true: insert; false: update name-independent fields of an existing entity (summary, aliases). */
  isNew: boolean;
  name: string;
  type: string;
  summary: string | null;
  aliases: string[];
  key: string;
  vector: Float32Array | null;
  /**
   * Resolution decided this entity is another one: it is stored, and reads resolve it to
   * `mergedInto`. Recorded in the merge log with the reason; undone by GraphStore.unmergeEntity.
   */
  mergedInto?: { id: string; reason: string } | undefined;
}

export interface RelationWrite {
  id: string;
  sourceId: string;
  relationship: string;
  destinationId: string;
  fact: string;
  validFrom: string | null;
  validTo: string | null;
  memory: MemoryRef | null;
  messageRefs: string[];
}

/** The graph part of one add, applied in the transaction of its memory changes. */
export interface GraphWrite {
  scope: GraphScope;
  /** System time of the write. */
  at: string;
  entities: EntityWrite[];
  relations: RelationWrite[];
  /** Existing relations a new one contradicts: closed in world time at `validTo`; nothing is deleted. */
  closes: { id: string; validTo: string }[];
}

export interface RelationQuery {
  /** Only relations touching one of these entities (as source or destination, merges resolved). */
  entityIds?: string[] | undefined;
  /** World time: relations that held then (default: those that hold now, open-ended). */
  asOf?: string | undefined;
  /** System time: as engram knew it then (default now). */
  knownAt?: string | undefined;
  limit: number;
}

export interface GraphStore {
  /** The scope's entities that are not merged into another, by name. */
  entities(tenant: string, scope: GraphScope): Promise<EntityWithVector[]>;
  /** The scope's entities whose key or one of whose alias keys is listed, merges resolved. */
  findEntities(tenant: string, scope: GraphScope, keys: string[]): Promise<EntityRecord[]>;
  relations(tenant: string, scope: GraphScope, query: RelationQuery): Promise<RelationRecord[]>;
  /** Undoes a merge: the entity stands for itself again, with the relations written under it. */
  unmergeEntity(tenant: string, scope: GraphScope, id: string, at: string): Promise<void>;
}
