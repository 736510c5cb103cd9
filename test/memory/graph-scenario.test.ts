import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facts, type MemoryFixture, memoryFixture, operations, storeVariants } from './memory-fixture.js';

const JAN = '2024-01-10T10:00:00.000Z';
const MARCH_5 = '2024-03-05T00:00:00.000Z';

interface Entity {
  name: string;
  type: string;
  summary?: string | null;
  aliases?: string[];
}
interface Relation {
  source: string;
  relationship: string;
  destination: string;
  fact: string;
  fact_index: number | null;
  valid_from?: string | null;
  valid_to?: string | null;
  exclusive?: boolean;
}
const graph = (entities: Entity[], relations: Relation[]) =>
  JSON.stringify({
    entities: entities.map((e) => ({ summary: null, aliases: [], ...e })),
    relations: relations.map((r) => ({ valid_from: null, valid_to: null, exclusive: false, ...r })),
  });

describe.each(storeVariants())('graph memory: the sister who moved (%s)', (_store, overrides) => {
  let fx: MemoryFixture;
  beforeEach(async () => {
    fx = await memoryFixture({ ...overrides(), graph: { enabled: true } });
  });
  afterEach(async () => {
    await fx.close();
  });

  it('closes the old home at the move, answers as of a date, finds the sister through the graph, merges names, erases', async () => {
    const { memory, ollama } = fx;
    // 1. Two facts, four entities, three relations; an empty scope: nothing to reconcile.
    ollama.scriptChat([
      facts(
        { text: 'Sarah lives in Denver', category: 'location' },
        { text: "Sarah's sister Amy lives in Boston", category: 'relationship' },
      ),
      graph(
        [
          { name: 'Sarah', type: 'person' },
          { name: 'Denver', type: 'place' },
          { name: 'Amy', type: 'person', summary: "Sarah's sister" },
          { name: 'Boston', type: 'place' },
        ],
        [
          {
            source: 'Sarah',
            relationship: 'lives_in',
            destination: 'Denver',
            fact: 'Sarah lives in Denver',
            fact_index: 0,
            exclusive: true,
          },
          {
            source: 'Amy',
            relationship: 'sister_of',
            destination: 'Sarah',
            fact: 'Amy is Sarah’s sister',
            fact_index: 1,
          },
          {
            source: 'Amy',
            relationship: 'lives in',
            destination: 'Boston',
            fact: 'Amy lives in Boston',
            fact_index: 1,
            exclusive: true,
          },
        ],
      ),
    ]);
    const first = await memory.add('Sarah lives in Denver. Her sister Amy lives in Boston.', {
      userId: 'u1',
      eventTime: JAN,
    });
    expect(first.results.map((r) => r.event)).toEqual(['ADD', 'ADD']);
    expect(first.relations).toEqual([
      { source: 'Sarah', relationship: 'lives_in', destination: 'Denver', valid_from: JAN, valid_to: null },
      { source: 'Amy', relationship: 'sister_of', destination: 'Sarah', valid_from: JAN, valid_to: null },
      { source: 'Amy', relationship: 'lives_in', destination: 'Boston', valid_from: JAN, valid_to: null },
    ]);
    // The graph's share of the add's cost: one call, its tokens, one embedding call for the names.
    expect(first.usage.parts?.graph).toMatchObject({ llmCalls: 1, embedCalls: 1 });
    expect(first.usage.parts?.graph?.inputTokens).toBeGreaterThan(0);
    expect(first.usage.llmCalls).toBe(2);

    // 2. The move: a new exclusive lives_in closes Boston at the move's date.
    ollama.scriptChat([
      facts({ text: 'Amy moved to Chicago', category: 'location' }),
      graph(
        [
          { name: 'Amy', type: 'person' },
          { name: 'Chicago', type: 'place' },
        ],
        [
          {
            source: 'Amy',
            relationship: 'lives_in',
            destination: 'Chicago',
            fact: 'Amy lives in Chicago',
            fact_index: 0,
            valid_from: '2024-03-05',
            exclusive: true,
          },
        ],
      ),
      operations({ event: 'ADD', fact: 0 }),
    ]);
    const moved = await memory.add('Amy moved to Chicago', { userId: 'u1', eventTime: MARCH_5 });
    const chicagoMemory = moved.results.find((r) => r.event === 'ADD')!;
    expect(chicagoMemory.memory).toBe('Amy moved to Chicago');

    const amyNow = await memory.graph.relations({ userId: 'u1', entity: 'Amy' });
    expect(amyNow.results.map((r) => `${r.source} ${r.relationship} ${r.destination}`).sort()).toEqual([
      'Amy lives_in Chicago',
      'Amy sister_of Sarah',
    ]);
    const chicago = amyNow.results.find((r) => r.destination === 'Chicago')!;
    expect(chicago).toMatchObject({ valid_from: MARCH_5, valid_to: null, memory_id: chicagoMemory.id });
    expect(chicago.message_refs.length).toBeGreaterThan(0);

    const february = await memory.graph.relations({ userId: 'u1', entity: 'Amy', asOf: '2024-02-01' });
    const boston = february.results.find((r) => r.relationship === 'lives_in');
    expect(boston).toMatchObject({ destination: 'Boston', valid_from: JAN, valid_to: MARCH_5 });
    expect(february.results.map((r) => r.destination)).not.toContain('Chicago');

    // 3. "Where does Sarah's sister live" shares no content word with "Amy moved to Chicago".
    const found = await memory.search("where does Sarah's sister live", { userId: 'u1', explain: true });
    const hit = found.results.find((r) => r.id === chicagoMemory.id);
    expect(hit?.explain?.graph).toEqual({ hops: 2, relevance: 0.45 });
    expect(found.results.slice(0, 3).map((r) => r.id)).toContain(chicagoMemory.id);
    expect(found.relations).toContainEqual({
      source: 'Amy',
      relationship: 'lives_in',
      destination: 'Chicago',
      valid_from: MARCH_5,
      valid_to: null,
    });
    const without = await fx.reopen({ graph: { enabled: false } }).search("where does Sarah's sister live", {
      userId: 'u1',
      explain: true,
    });
    const plain = without.results.find((r) => r.id === chicagoMemory.id);
    expect(without.relations).toBeUndefined();
    expect(plain?.explain?.relevance ?? 0).toBeLessThan(hit?.explain?.relevance ?? 0);

    // 4. "Amy Smith" and "my sister Amy" are Amy: the names share a word, the model confirms.
    ollama.scriptChat([
      facts({ text: 'Amy Smith adopted a dog named Rex', category: 'relationship' }),
      graph(
        [
          { name: 'Amy Smith', type: 'person' },
          { name: 'my sister Amy', type: 'person' },
          { name: 'Rex', type: 'thing', summary: 'a dog' },
        ],
        [
          {
            source: 'Amy Smith',
            relationship: 'owns',
            destination: 'Rex',
            fact: 'Amy Smith owns Rex',
            fact_index: 0,
          },
          {
            source: 'my sister Amy',
            relationship: 'sister_of',
            destination: 'USER',
            fact: 'Amy is the user’s sister',
            fact_index: null,
          },
        ],
      ),
      JSON.stringify({ same: [0, 1] }),
      operations({ event: 'ADD', fact: 0 }),
    ]);
    const dog = await memory.add('My sister Amy Smith adopted a dog named Rex', { userId: 'u1' });
    expect(dog.relations?.map((r) => `${r.source} ${r.relationship} ${r.destination}`)).toEqual([
      'Amy owns Rex',
      'Amy sister_of u1',
    ]);
    const entities = await memory.graph.entities({ userId: 'u1' });
    expect(entities.results.filter((e) => e.name.includes('Amy')).map((e) => e.name)).toEqual(['Amy']);
    expect(entities.results.map((e) => e.name).sort()).toEqual(
      ['Amy', 'Boston', 'Chicago', 'Denver', 'Rex', 'Sarah', 'u1'].sort(),
    );
    const viaAlias = await memory.graph.neighbors('Amy Smith', { userId: 'u1' });
    expect(viaAlias.entity.name).toBe('Amy');
    expect(viaAlias.entities.map((e) => e.name).sort()).toEqual(['Chicago', 'Rex', 'Sarah', 'u1']);

    // A merged name seen again resolves to its target at once: no second merge, no confirmation call.
    ollama.scriptChat([
      facts({ text: 'Amy Smith runs a bakery', category: 'work' }),
      graph(
        [{ name: 'Amy Smith', type: 'person' }],
        [
          {
            source: 'Amy Smith',
            relationship: 'runs',
            destination: 'bakery',
            fact: 'Amy runs a bakery',
            fact_index: 0,
          },
        ],
      ),
      operations({ event: 'ADD', fact: 0 }),
    ]);
    const bakery = await memory.add('Amy Smith runs a bakery', { userId: 'u1' });
    expect(bakery.usage.parts?.graph?.llmCalls).toBe(1);
    expect(bakery.relations?.map((r) => r.source)).toEqual(['Amy']);

    // 5. Erasing the scope removes the graph with it.
    await memory.data.erase({ userId: 'u1' });
    expect((await memory.graph.entities({ userId: 'u1' })).results).toEqual([]);
    expect((await memory.graph.relations({ userId: 'u1', asOf: '2024-02-01' })).results).toEqual([]);
  });
});

describe.each(storeVariants())('graph memory in single-pass mode: one call (%s)', (_store, overrides) => {
  let fx: MemoryFixture;
  beforeEach(async () => {
    fx = await memoryFixture({
      ...overrides(),
      graph: { enabled: true },
      extraction: { mode: 'single-pass' },
    });
  });
  afterEach(async () => {
    await fx.close();
  });

  it('facts, operations, entities and relations come back in the one extraction call', async () => {
    const { memory, ollama } = fx;
    const combined = (
      text: string,
      entities: Entity[],
      relations: Relation[],
      operations: { event: string; fact: number; id?: number | null }[] = [{ event: 'ADD', fact: 0 }],
    ) =>
      JSON.stringify({
        facts: [{ text, importance: 0.7, category: 'location', event_date: null }],
        operations,
        ...JSON.parse(graph(entities, relations)),
      });
    ollama.scriptChat([
      combined(
        'Works at Acme in Lisbon',
        [
          { name: 'Acme', type: 'organisation' },
          { name: 'Lisbon', type: 'place' },
        ],
        [
          {
            source: 'USER',
            relationship: 'works_at',
            destination: 'Acme',
            fact: 'The user works at Acme',
            fact_index: 0,
          },
          {
            source: 'Acme',
            relationship: 'located_in',
            destination: 'Lisbon',
            fact: 'Acme is in Lisbon',
            fact_index: 0,
          },
        ],
      ),
    ]);
    const first = await memory.add('I work at Acme in Lisbon', { userId: 'joe', eventTime: JAN });
    expect(first.usage.llmCalls).toBe(1);
    expect(first.relations?.map((r) => `${r.source} ${r.relationship} ${r.destination}`)).toEqual([
      'joe works_at Acme',
      'Acme located_in Lisbon',
    ]);
    // The one request asked for the graph in its schema.
    const body = ollama.requestsTo('/api/chat').at(-1)?.body as {
      format?: { properties?: Record<string, unknown> };
    };
    expect(Object.keys(body.format?.properties ?? {}).sort()).toEqual([
      'entities',
      'facts',
      'operations',
      'relations',
    ]);
    const share = first.usage.parts?.graph;
    expect(share?.llmCalls).toBe(0);
    expect(share?.inputTokens).toBeGreaterThan(0);
    expect(share?.outputTokens).toBeGreaterThan(0);
    expect(share?.outputTokens).toBeLessThan(first.usage.outputTokens);

    // Changing jobs: works_at is exclusive, so Acme's relation closes at the new one's start.
    ollama.scriptChat([
      combined(
        'Works at Globex since March',
        [{ name: 'Globex', type: 'organisation' }],
        [
          {
            source: 'USER',
            relationship: 'works_at',
            destination: 'Globex',
            fact: 'The user works at Globex',
            fact_index: 0,
            valid_from: '2024-03-01',
          },
        ],
      ),
    ]);
    await memory.add('I work at Globex since March', { userId: 'joe', eventTime: MARCH_5 });
    const jobs = await memory.graph.relations({ userId: 'joe', entity: 'joe', asOf: '2024-02-01' });
    expect(jobs.results.filter((r) => r.relationship === 'works_at').map((r) => r.destination)).toEqual([
      'Acme',
    ]);
    const now = await memory.graph.relations({ userId: 'joe', entity: 'joe' });
    expect(
      now.results.filter((r) => r.relationship === 'works_at').map((r) => [r.destination, r.valid_from]),
    ).toEqual([['Globex', '2024-03-01T00:00:00.000Z']]);
  });
});
