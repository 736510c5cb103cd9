import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import type { EntityWrite, GraphScope, GraphWrite } from '../../src/spec/graph.js';
import type { Change } from '../../src/spec/store.js';
import { alice, type MakeFixture, newMemory, T, useStore } from './conformance-kit.js';
import { ALICE, ALICE_AND_BOT, day, entity, graphOf, graphWrite, relation } from './graph-kit.js';

/** The graph's life with its memories: failed and foreign writes, the delete cascade, erasure, reset. */
export function graphLifecycleChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('a failed change list writes no graph; ids of another tenant or scope are never touched', async () => {
    const s = store();
    const g = graphOf(s);
    const mine = entity('Alice');
    await s.applyChanges('t1', [], undefined, graphWrite({ entities: [mine] }));
    const memory = newMemory('Carol likes tea');
    const carol = entity('Carol');
    const tea = entity('Tea', { type: 'thing' });
    const likes = relation(carol, 'likes', tea, { memory: { change: 0 } });
    const failing: Change[] = [
      { kind: 'insert', memory },
      { kind: 'update', id: randomUUID(), patch: { importance: 0.9, at: T } },
    ];
    await expect(
      s.applyChanges('t1', failing, undefined, graphWrite({ entities: [carol, tea], relations: [likes] })),
    ).rejects.toMatchObject({ code: 'not_found' });
    // A graph naming an unknown entity fails its memory changes too.
    const dangling = relation(carol, 'likes', entity('Coffee'), { memory: { change: 0 } });
    await expect(
      s.applyChanges(
        't1',
        [{ kind: 'insert', memory }],
        undefined,
        graphWrite({ entities: [carol], relations: [dangling] }),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await s.getMemory('t1', memory.id)).toBeNull();
    expect((await g.entities('t1', ALICE)).map((e) => e.id)).toEqual([mine.id]);
    expect(await g.relations('t1', ALICE, { limit: 10 })).toEqual([]);

    // Another tenant (or owner) may not update, merge into, relate or close what is not theirs.
    const bobScope = { userId: 'bob', agentId: null, runId: null };
    const attempts: GraphWrite[] = [
      graphWrite({ entities: [{ ...mine, isNew: false, summary: 'stolen' }] }),
      graphWrite({ entities: [entity('Mallory', { mergedInto: { id: mine.id, reason: 'x' } })] }),
      graphWrite({ entities: [carol], relations: [relation(carol, 'knows', mine)] }),
      graphWrite({ entities: [{ ...mine, name: 'Not Alice' }] }),
    ];
    for (const attempt of attempts) {
      await expect(s.applyChanges('t2', [], undefined, attempt)).rejects.toBeDefined();
      await expect(
        s.applyChanges('t1', [], undefined, { ...attempt, scope: bobScope }),
      ).rejects.toBeDefined();
    }
    expect(await g.entities('t1', ALICE)).toMatchObject([{ id: mine.id, name: 'Alice', summary: null }]);
    expect(await g.entities('t2', ALICE)).toEqual([]);
    expect(await g.entities('t1', bobScope)).toEqual([]);
    await expect(g.entities('t1', { userId: null, agentId: null, runId: null })).rejects.toMatchObject({
      code: 'scope_required',
    });
  });

  it('a user delete of a memory removes its relations; an invalidation keeps them', async () => {
    const s = store();
    const g = graphOf(s);
    const [kept, deleted, batch] = [
      newMemory('Alice owns a cat'),
      newMemory('Alice owns a dog'),
      newMemory('Alice owns a fish'),
    ];
    const person = entity('Alice');
    const [cat, dog, fish] = [entity('cat'), entity('dog'), entity('fish')];
    const rel = (pet: EntityWrite, change: number) => relation(person, 'owns', pet, { memory: { change } });
    const [ownsCat, ownsDog, ownsFish] = [rel(cat, 0), rel(dog, 1), rel(fish, 2)];
    await s.applyChanges(
      't1',
      [kept, deleted, batch].map((memory): Change => ({ kind: 'insert', memory })),
      undefined,
      graphWrite({ entities: [person, cat, dog, fish], relations: [ownsCat, ownsDog, ownsFish] }),
    );
    const ids = async (query = {}) =>
      (await g.relations('t1', ALICE, { limit: 10, ...query })).map((r) => r.id).sort();

    await s.invalidateMemory('t1', kept.id, { validTo: day(2, 1), supersededBy: null, at: day(2, 1) });
    expect(await ids()).toEqual([ownsCat.id, ownsDog.id, ownsFish.id].sort());
    await s.deleteMemory('t1', deleted.id, { at: day(2, 2) });
    expect(await ids()).toEqual([ownsCat.id, ownsFish.id].sort());
    expect(await ids({ asOf: day(1, 15), knownAt: day(1, 15) })).not.toContain(ownsDog.id);
    // A delete in a change list cascades the same way, and so does deleting a superseded memory.
    await s.applyChanges('t1', [{ kind: 'delete', id: batch.id, at: day(2, 3) }]);
    expect(await ids()).toEqual([ownsCat.id]);
    await s.deleteMemories('t1', alice()!, { at: day(2, 4) });
    expect(await ids()).toEqual([]);
    expect(await ids({ asOf: day(1, 15) })).toEqual([]);
    // Entities are not content of one memory: they stay.
    expect(await g.entities('t1', ALICE)).toHaveLength(4);
  });

  it('a graph write replayed (a job run again after its commit) changes nothing', async () => {
    const s = store();
    const g = graphOf(s);
    const memory = newMemory('Alice met Eve');
    const [person, eve] = [entity('Alice'), entity('Eve', { aliases: ['Evie'] })];
    const write = graphWrite({
      entities: [person, eve],
      relations: [relation(person, 'met', eve, { memory: { change: 0 } })],
    });
    for (let run = 0; run < 2; run++)
      await s.applyChanges('t1', [{ kind: 'insert', memory }], undefined, write);
    expect((await g.entities('t1', ALICE)).map((e) => e.name)).toEqual(['Alice', 'Eve']);
    expect((await g.findEntities('t1', ALICE, ['evie'])).map((e) => e.id)).toEqual([eve.id]);
    expect(await g.relations('t1', ALICE, { limit: 10 })).toHaveLength(1);
  });

  it('a relation may name a memory by id or by an insert that found its text already stored', async () => {
    const s = store();
    const g = graphOf(s);
    const first = newMemory('Alice knows Dan');
    await s.insertMemories('t1', [first]);
    const [person, dan] = [entity('Alice'), entity('Dan')];
    const again = newMemory('Alice knows Dan');
    const byChange = relation(person, 'knows', dan, { memory: { change: 0 } });
    const byId = relation(dan, 'knows', person, { memory: first.id });
    const [outcome] = await s.applyChanges(
      't1',
      [{ kind: 'insert', memory: again }],
      undefined,
      graphWrite({ entities: [person, dan], relations: [byChange, byId] }),
    );
    expect(outcome).toMatchObject({ inserted: false, record: { id: first.id } });
    expect((await g.relations('t1', ALICE, { limit: 10 })).map((r) => r.memoryId)).toEqual([
      first.id,
      first.id,
    ]);
    await expect(
      s.applyChanges(
        't1',
        [],
        undefined,
        graphWrite({ relations: [relation(person, 'knows', dan, { memory: randomUUID() })] }),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      s.applyChanges(
        't1',
        [],
        undefined,
        graphWrite({ relations: [relation(person, 'knows', dan, { memory: { change: 3 } })] }),
      ),
    ).rejects.toMatchObject({ code: 'invalid_input' });
    // Another tenant's memory is not a memory of this one.
    const [x, y] = [entity('X'), entity('Y')];
    await expect(
      s.applyChanges(
        't2',
        [],
        undefined,
        graphWrite({ entities: [x, y], relations: [relation(x, 'knows', y, { memory: first.id })] }),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await g.entities('t2', ALICE)).toEqual([]);
  });

  it('eraseScope removes the scope owner’s graph only; reset clears graphs', async () => {
    const s = store();
    const g = graphOf(s);
    const write = (tenant: string, scope: GraphScope, name: string, changes: Change[] = []) => {
      const [a, b] = [entity(name), entity(`${name} friend`)];
      const knows = relation(a, 'knows', b, changes.length > 0 ? { memory: { change: 0 } } : {});
      return s.applyChanges(
        tenant,
        changes,
        undefined,
        graphWrite({
          scope,
          entities: [a, b, entity(`${name} twin`, { mergedInto: { id: a.id, reason: 'same' } })],
          relations: [knows],
        }),
      );
    };
    const bob = { userId: 'bob', agentId: null, runId: null };
    const bot = { userId: null, agentId: 'bot', runId: null };
    await write('t1', ALICE_AND_BOT, 'Alice');
    await write('t1', bob, 'Bob');
    const withBot = newMemory('Carl knows Carl friend', { userId: 'bob', agentId: 'bot' });
    await write('t1', { ...bob, agentId: 'bot' }, 'Carl', [{ kind: 'insert', memory: withBot }]);
    await write('t1', bot, 'Bot');
    await write('t2', ALICE, 'Alice');
    const sizes = async (tenant: string, scope: GraphScope) => [
      (await g.entities(tenant, scope)).length,
      (await g.relations(tenant, scope, { limit: 10 })).length,
    ];

    await s.eraseScope('t1', { userId: 'alice' });
    expect(await sizes('t1', ALICE)).toEqual([0, 0]);
    expect(await g.findEntities('t1', ALICE, ['alice twin'])).toEqual([]);
    expect(await sizes('t1', bob)).toEqual([4, 2]);
    expect(await sizes('t1', bot)).toEqual([2, 1]);
    expect(await sizes('t2', ALICE)).toEqual([2, 1]);
    // A scope narrower than its owner ({user, agent}) leaves the owner's graph, less the
    // relations of the memories it erased.
    await s.eraseScope('t1', { userId: 'bob', agentId: 'bot' });
    expect(await sizes('t1', bob)).toEqual([4, 1]);
    await s.eraseScope('t1', { agentId: 'bot' });
    expect(await sizes('t1', bot)).toEqual([0, 0]);
    expect(await sizes('t1', bob)).toEqual([4, 1]);

    await s.reset('t1');
    expect(await sizes('t1', bob)).toEqual([0, 0]);
    expect(await sizes('t2', ALICE)).toEqual([2, 1]);
    await s.reset(null);
    expect(await sizes('t2', ALICE)).toEqual([0, 0]);
  });
}
