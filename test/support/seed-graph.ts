import { randomUUID } from 'node:crypto';
import type { EntityWrite, GraphScope, RelationWrite } from '../../src/spec/graph.js';
import type { Store } from '../../src/spec/store.js';
import { entityKey } from '../../src/util/entity-key.js';

export const JAN_10 = '2024-01-10T00:00:00.000Z';
export const MAR_05 = '2024-03-05T00:00:00.000Z';
/** When the rows were written (system time), before any test's known_at. */
const WRITTEN_AT = '2024-06-01T00:00:00.000Z';

export function entity(name: string, type: string): EntityWrite {
  return {
    id: randomUUID(),
    isNew: true,
    name,
    type,
    summary: null,
    aliases: [],
    key: entityKey(name),
    vector: null,
  };
}

export function relation(
  source: EntityWrite,
  relationship: string,
  destination: EntityWrite,
  interval: { validFrom?: string | null; validTo?: string | null } = {},
): RelationWrite {
  return {
    id: randomUUID(),
    sourceId: source.id,
    relationship,
    destinationId: destination.id,
    fact: `${source.name} ${relationship} ${destination.name}`,
    validFrom: interval.validFrom ?? null,
    validTo: interval.validTo ?? null,
    memory: null,
    messageRefs: [],
  };
}

/** Writes entities and relations straight through the store, as an add's graph step would. */
export async function writeGraph(
  store: Store,
  tenant: string,
  scope: Partial<GraphScope>,
  entities: EntityWrite[],
  relations: RelationWrite[],
): Promise<void> {
  await store.applyChanges(tenant, [], undefined, {
    scope: { userId: null, agentId: null, runId: null, ...scope },
    at: WRITTEN_AT,
    entities,
    relations,
    closes: [],
  });
}

/**
 * The sister who moved, without an LLM: Amy lived in Boston from 10 January until 5 March, then in
 * Chicago; she is Sarah's sister, and Sarah works at Acme. Returns the entities by name.
 */
export async function seedSisterGraph(
  store: Store,
  tenant: string,
  scope: Partial<GraphScope>,
): Promise<Record<'amy' | 'sarah' | 'boston' | 'chicago' | 'acme', EntityWrite>> {
  const e = {
    amy: entity('Amy', 'person'),
    sarah: entity('Sarah', 'person'),
    boston: entity('Boston', 'place'),
    chicago: entity('Chicago', 'place'),
    acme: entity('Acme', 'organisation'),
  };
  await writeGraph(store, tenant, scope, Object.values(e), [
    relation(e.amy, 'lives_in', e.boston, { validFrom: JAN_10, validTo: MAR_05 }),
    relation(e.amy, 'lives_in', e.chicago, { validFrom: MAR_05 }),
    relation(e.amy, 'sister_of', e.sarah),
    relation(e.sarah, 'works_at', e.acme, { validFrom: JAN_10 }),
  ]);
  return e;
}
