import { randomUUID } from 'node:crypto';
import type { EntityWrite, GraphScope, GraphStore, GraphWrite, RelationWrite } from '../../src/spec/graph.js';
import type { Store } from '../../src/spec/store.js';
import { entityKey } from '../../src/util/entity-key.js';
import { axisVector, T } from './conformance-kit.js';

export const day = (month: number, d: number) =>
  `2024-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}T00:00:00.000Z`;

export const ALICE: GraphScope = { userId: 'alice', agentId: null, runId: null };
export const ALICE_AND_BOT: GraphScope = { userId: 'alice', agentId: 'bot', runId: null };

export function graphOf(s: Store): GraphStore {
  if (!s.graph) throw new Error('a store with the graph capability exposes store.graph');
  return s.graph;
}

export function entity(name: string, overrides: Partial<EntityWrite> = {}): EntityWrite {
  return {
    id: randomUUID(),
    isNew: true,
    name,
    type: 'person',
    summary: null,
    aliases: [],
    key: entityKey(name),
    vector: axisVector(1),
    ...overrides,
  };
}

export function relation(
  source: EntityWrite,
  relationship: string,
  destination: EntityWrite,
  overrides: Partial<RelationWrite> = {},
): RelationWrite {
  return {
    id: randomUUID(),
    sourceId: source.id,
    relationship,
    destinationId: destination.id,
    fact: `${source.name} ${relationship} ${destination.name}`,
    validFrom: null,
    validTo: null,
    memory: null,
    messageRefs: [],
    ...overrides,
  };
}

export function graphWrite(parts: Partial<GraphWrite>): GraphWrite {
  return { scope: ALICE, at: T, entities: [], relations: [], closes: [], ...parts };
}
