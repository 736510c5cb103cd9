import type { GraphScope, GraphWrite, MemoryRef } from '../../spec/graph.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { ChangeOutcome, ErasureScope } from '../../spec/store.js';
import { entityKey } from '../../util/entity-key.js';
import { partitionKey } from './partition-key.js';

/*
 * The backend-neutral half of a graph write: the partition, instants in one ISO form, memory
 * references resolved against the change outcomes, the keys each entity is found by. Each store
 * then runs the same steps in its own SQL (sqlite-graph.ts, pg-graph.ts).
 */

export interface PlannedEntity {
  id: string;
  isNew: boolean;
  name: string;
  type: string;
  summary: string | null;
  aliases: string[];
  key: string;
  vector: Float32Array | null;
  mergedInto: { id: string; reason: string } | null;
}

export interface PlannedRelation {
  id: string;
  sourceId: string;
  relationship: string;
  destinationId: string;
  fact: string;
  validFrom: string | null;
  validTo: string | null;
  memoryId: string | null;
  messageRefs: string[];
}

export interface GraphPlan {
  partition: string;
  at: string;
  entities: PlannedEntity[];
  relations: PlannedRelation[];
  closes: { id: string; validTo: string }[];
  /** Every entity a relation names: each must be of this tenant and partition. */
  endpoints: string[];
  /** Memory ids named directly (not by `{change: n}`): each must be of this tenant. */
  namedMemories: string[];
}

/**
 * The partition a graph scope reads and writes: its owner's, as for vectors (user, else agent,
 * else run). A scope without any id has no owner.
 */
export function graphPartition(tenant: string, scope: GraphScope): string {
  if (!scope.userId && !scope.agentId && !scope.runId) {
    throw new MemoryError('scope_required', 'A graph belongs to a scope: give a user, agent or run id.', {
      hint: 'scope',
    });
  }
  return partitionKey(tenant, scope);
}

/**
 * The graph partition an erasure removes whole: the one whose memories all match the erased
 * scope, i.e. the scope names its owner and nothing else ({user}, or {agent} / {run} alone). A
 * narrower scope ({user, agent}) leaves the owner's graph, minus the relations of the erased
 * memories (the cascade removes those).
 */
export function erasedGraphPartition(tenant: string, scope: ErasureScope): string | null {
  const ids = [scope.userId, scope.agentId, scope.runId].filter((v) => typeof v === 'string' && v !== '');
  if (ids.length !== 1) return null;
  return partitionKey(tenant, scope);
}

/** The keys an entity is found by: its key, its name's and each alias's, without repeats or blanks. */
export function entityKeys(key: string, name: string, aliases: readonly string[]): string[] {
  return [...new Set([key, entityKey(name), ...aliases.map(entityKey)])].filter((k) => k !== '');
}

/** An instant in the one ISO form both stores compare and return (SQLite compares text). */
export function isoInstant(value: string, field: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) {
    throw new MemoryError(
      'invalid_input',
      `${field} must be an ISO 8601 instant, got ${JSON.stringify(value)}.`,
      {
        details: { field, value },
      },
    );
  }
  return new Date(time).toISOString();
}

const orNull = (value: string | null, field: string) => (value === null ? null : isoInstant(value, field));

function resolveMemory(ref: MemoryRef | null, outcomes: readonly ChangeOutcome[]): string | null {
  if (ref === null || typeof ref === 'string') return ref;
  // An insert that found its text already active still names a memory: the existing one.
  const outcome = outcomes[ref.change];
  if (!outcome) {
    throw new MemoryError(
      'invalid_input',
      `A relation names change ${ref.change}, but the change list has ${outcomes.length} changes.`,
      { details: { change: ref.change, changes: outcomes.length } },
    );
  }
  return outcome.record.id;
}

export function planGraphWrite(
  tenant: string,
  graph: GraphWrite,
  outcomes: readonly ChangeOutcome[],
): GraphPlan {
  const partition = graphPartition(tenant, graph.scope);
  const entities = graph.entities.map((e): PlannedEntity => {
    if (e.mergedInto?.id === e.id) {
      throw new MemoryError('invalid_input', `Entity ${e.id} cannot be merged into itself.`, {
        details: { id: e.id },
      });
    }
    return {
      id: e.id,
      isNew: e.isNew,
      name: e.name,
      type: e.type,
      summary: e.summary,
      aliases: [...new Set(e.aliases)],
      key: e.key,
      vector: e.vector,
      mergedInto: e.mergedInto ?? null,
    };
  });
  const relations = graph.relations.map(
    (r): PlannedRelation => ({
      id: r.id,
      sourceId: r.sourceId,
      relationship: r.relationship,
      destinationId: r.destinationId,
      fact: r.fact,
      validFrom: orNull(r.validFrom, 'validFrom'),
      validTo: orNull(r.validTo, 'validTo'),
      memoryId: resolveMemory(r.memory, outcomes),
      messageRefs: r.messageRefs,
    }),
  );
  const named = graph.relations.flatMap((r) => (typeof r.memory === 'string' ? [r.memory] : []));
  return {
    partition,
    at: isoInstant(graph.at, 'at'),
    entities,
    relations,
    closes: graph.closes.map((c) => ({ id: c.id, validTo: isoInstant(c.validTo, 'validTo') })),
    endpoints: [...new Set(relations.flatMap((r) => [r.sourceId, r.destinationId]))],
    namedMemories: [...new Set(named)],
  };
}

export function entityNotFound(id: string): MemoryError {
  return new MemoryError('not_found', `No entity with id ${id} in this scope.`, { details: { id } });
}

/** An id the write means to create is already taken by a row of another scope or tenant. */
export function graphIdTaken(kind: 'entity' | 'relation', id: string): MemoryError {
  return new MemoryError(
    'conflict',
    `The ${kind} id ${id} is already used; give the new ${kind} another id.`,
    {
      details: { kind, id },
    },
  );
}

/** A merge whose target leads back to the merged entity (A into B while B stands for A). */
export function mergeCycle(id: string, into: string): MemoryError {
  return new MemoryError(
    'invalid_input',
    `Entity ${id} cannot be merged into ${into}: ${into} already stands for ${id}. Unmerge one of them first.`,
    { details: { id, into } },
  );
}
