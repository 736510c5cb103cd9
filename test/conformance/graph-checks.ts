import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { GraphStore } from '../../src/spec/graph.js';
import { entityKey } from '../../src/util/entity-key.js';
import { axisVector, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';
import { ALICE, ALICE_AND_BOT, day, entity, graphOf, graphWrite, relation } from './graph-kit.js';

/** The graph capability: entities and bi-temporal relations written with applyChanges. */
export function graphChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('writes entities and relations in the transaction of their memory changes', async () => {
    const s = store();
    const memory = newMemory('Alice works at Acme', { agentId: 'bot' });
    const person = entity('Alice', { aliases: ['Ally'], summary: 'the user' });
    const company = entity('The Acme Co.', { type: 'organisation', aliases: ['Acme Corporation'] });
    const works = relation(person, 'works_at', company, {
      memory: { change: 0 },
      messageRefs: ['job-1:0'],
      validFrom: day(1, 10),
    });
    const outcomes = await s.applyChanges(
      't1',
      [{ kind: 'insert', memory }],
      undefined,
      graphWrite({ scope: ALICE_AND_BOT, entities: [person, company], relations: [works] }),
    );
    expect(outcomes[0]?.record.id).toBe(memory.id);

    // Written with {user, agent}, read with {user}: the graph belongs to the scope's owner.
    const entities = await graphOf(s).entities('t1', ALICE);
    expect(entities.map((e) => e.name)).toEqual(['Alice', 'The Acme Co.']);
    expect(entities[0]).toMatchObject({
      id: person.id,
      type: 'person',
      summary: 'the user',
      aliases: ['Ally'],
      key: 'alice',
      mergedInto: null,
      createdAt: T,
      updatedAt: T,
    });
    expect([...(entities[0]?.vector ?? [])]).toEqual([...axisVector(1)]);
    expect(entities[1]).toMatchObject({
      type: 'organisation',
      key: 'acme co',
      aliases: ['Acme Corporation'],
    });
    expect(await graphOf(s).relations('t1', ALICE, { limit: 10 })).toEqual([
      {
        id: works.id,
        source: { id: person.id, name: 'Alice' },
        relationship: 'works_at',
        destination: { id: company.id, name: 'The Acme Co.' },
        fact: 'Alice works_at The Acme Co.',
        validFrom: day(1, 10),
        validTo: null,
        createdAt: T,
        expiredAt: null,
        memoryId: memory.id,
        messageRefs: ['job-1:0'],
      },
    ]);

    // Another owner, another tenant, the agent's own partition: nothing.
    for (const [tenant, scope] of [
      ['t1', { userId: 'bob', agentId: null, runId: null }],
      ['t2', ALICE],
      ['t1', { userId: null, agentId: 'bot', runId: null }],
    ] as const) {
      expect(await graphOf(s).entities(tenant, scope)).toEqual([]);
      expect(await graphOf(s).findEntities(tenant, scope, ['alice'])).toEqual([]);
      expect(await graphOf(s).relations(tenant, scope, { limit: 10 })).toEqual([]);
    }
  });

  it('finds entities by name and alias keys, merged ones resolved to their target, once', async () => {
    const s = store();
    const g = graphOf(s);
    const robert = entity('Robert Smith', { aliases: ['Bob'] });
    const bobby = entity('Bobby Smith', {
      aliases: ['Bob'],
      mergedInto: { id: robert.id, reason: 'same person' },
    });
    const paris = entity('Paris', { type: 'place' });
    const livesIn = relation(bobby, 'lives_in', paris);
    await s.applyChanges(
      't1',
      [],
      undefined,
      graphWrite({ entities: [robert, bobby, paris], relations: [livesIn] }),
    );

    expect((await g.entities('t1', ALICE)).map((e) => e.name)).toEqual(['Paris', 'Robert Smith']);
    const ids = async (keys: string[]) => (await g.findEntities('t1', ALICE, keys)).map((e) => e.id);
    expect(await ids([entityKey('bob')])).toEqual([robert.id]);
    expect(await ids(['bobby smith', 'robert smith', 'bob'])).toEqual([robert.id]);
    expect(await ids(['paris', 'nowhere'])).toEqual([paris.id]);
    expect(await ids([])).toEqual([]);

    // The relation written under the merged entity reads as its target's.
    const [read] = await g.relations('t1', ALICE, { limit: 10 });
    expect(read?.source).toEqual({ id: robert.id, name: 'Robert Smith' });
    expect(await g.relations('t1', ALICE, { entityIds: [bobby.id], limit: 10 })).toHaveLength(1);
    expect(await g.relations('t1', ALICE, { entityIds: [robert.id], limit: 10 })).toHaveLength(1);

    // An update: new alias list (keys follow), summary, type; the name stays.
    await s.applyChanges(
      't1',
      [],
      undefined,
      graphWrite({
        at: day(2, 1),
        entities: [{ ...robert, isNew: false, aliases: ['Rob'], summary: 'a friend', vector: null }],
      }),
    );
    expect(await ids(['rob'])).toEqual([robert.id]);
    const [updated] = await g.findEntities('t1', ALICE, ['robert smith']);
    expect(updated).toMatchObject({ name: 'Robert Smith', aliases: ['Rob'], summary: 'a friend' });
    expect(updated?.updatedAt).toBe(day(2, 1));

    // Unmerge: the entity stands for itself again, with the relations written under it.
    await g.unmergeEntity('t1', ALICE, bobby.id, day(3, 1));
    expect((await g.entities('t1', ALICE)).map((e) => e.name)).toEqual([
      'Bobby Smith',
      'Paris',
      'Robert Smith',
    ]);
    expect(await ids(['bobby smith'])).toEqual([bobby.id]);
    expect((await g.relations('t1', ALICE, { limit: 10 }))[0]?.source).toEqual({
      id: bobby.id,
      name: 'Bobby Smith',
    });
    expect(await g.relations('t1', ALICE, { entityIds: [robert.id], limit: 10 })).toEqual([]);
    await g.unmergeEntity('t1', ALICE, bobby.id, day(3, 2));
    for (const [tenant, scope, id] of [
      ['t1', ALICE, randomUUID()],
      ['t2', ALICE, bobby.id],
      ['t1', { userId: 'bob', agentId: null, runId: null }, bobby.id],
    ] as const) {
      await expect(g.unmergeEntity(tenant, scope, id, day(3, 3))).rejects.toMatchObject({
        code: 'not_found',
      });
    }

    // Merged again; the reverse merge would make a cycle and is refused.
    const again = { ...bobby, isNew: false, mergedInto: { id: robert.id, reason: 'confirmed' } };
    await s.applyChanges('t1', [], undefined, graphWrite({ at: day(3, 4), entities: [again] }));
    expect(await ids(['bobby smith'])).toEqual([robert.id]);
    const reverse = { ...robert, isNew: false, aliases: ['Rob'], mergedInto: { id: bobby.id, reason: 'x' } };
    await expect(
      s.applyChanges('t1', [], undefined, graphWrite({ at: day(3, 5), entities: [reverse] })),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    await expect(
      s.applyChanges(
        't1',
        [],
        undefined,
        graphWrite({ entities: [{ ...paris, mergedInto: { id: paris.id, reason: 'x' } }] }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await g.entities('t1', ALICE)).map((e) => e.name)).toEqual(['Paris', 'Robert Smith']);
  });

  it('relations in world and system time: asOf around a close, knownAt before creation', async () => {
    const s = store();
    const g = graphOf(s);
    const person = entity('Alice');
    const boston = entity('Boston', { type: 'place' });
    const chicago = entity('Chicago', { type: 'place' });
    const acme = entity('Acme', { type: 'organisation' });
    const inBoston = relation(person, 'lives_in', boston, { validFrom: day(1, 10) });
    const worksAt = relation(person, 'works_at', acme, { validFrom: day(1, 1) });
    await s.applyChanges(
      't1',
      [],
      undefined,
      graphWrite({ at: day(2, 1), entities: [person, boston, acme], relations: [inBoston, worksAt] }),
    );
    const inChicago = relation(person, 'lives_in', chicago, { validFrom: day(3, 1) });
    await s.applyChanges(
      't1',
      [],
      undefined,
      graphWrite({
        at: day(4, 1),
        entities: [chicago],
        relations: [inChicago],
        closes: [{ id: inBoston.id, validTo: day(3, 1) }],
      }),
    );
    const ids = async (query: Parameters<GraphStore['relations']>[2]) =>
      (await g.relations('t1', ALICE, query)).map((r) => r.id);

    // Now: newest first; the closed one is gone from the present, never deleted.
    expect(await ids({ limit: 10 })).toEqual([inChicago.id, worksAt.id]);
    expect(await ids({ limit: 1 })).toEqual([inChicago.id]);
    expect(await ids({ asOf: day(2, 15), limit: 10 })).toEqual([worksAt.id, inBoston.id]);
    expect(await ids({ asOf: day(3, 15), limit: 10 })).toEqual([inChicago.id, worksAt.id]);
    const [closed] = await g.relations('t1', ALICE, { asOf: day(2, 15), entityIds: [boston.id], limit: 10 });
    expect(closed).toMatchObject({ id: inBoston.id, validFrom: day(1, 10), validTo: day(3, 1) });
    // Only relations touching the entity.
    expect(await ids({ entityIds: [acme.id], limit: 10 })).toEqual([worksAt.id]);
    expect(await ids({ entityIds: [randomUUID()], limit: 10 })).toEqual([]);
    // System time: nothing was known on Jan 15; on Mar 15 the move was not known yet.
    expect(await ids({ knownAt: day(1, 15), limit: 10 })).toEqual([]);
    expect(await ids({ asOf: day(3, 15), knownAt: day(3, 15), limit: 10 })).toEqual([
      worksAt.id,
      inBoston.id,
    ]);

    // A second close of a closed relation moves nothing.
    await s.applyChanges(
      't1',
      [],
      undefined,
      graphWrite({ at: day(5, 1), closes: [{ id: inBoston.id, validTo: day(4, 20) }] }),
    );
    expect(
      (await g.relations('t1', ALICE, { asOf: day(2, 15), entityIds: [boston.id], limit: 10 }))[0],
    ).toMatchObject({
      validTo: day(3, 1),
    });
  });
}
