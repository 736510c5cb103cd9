import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facts, type MemoryFixture, memoryFixture, operations, storeVariants } from './memory-fixture.js';

const JAN_10 = '2024-01-10T00:00:00.000Z';
const FEB_01 = '2024-02-01T00:00:00.000Z';
const MAR_01 = '2024-03-01T00:00:00.000Z';
const APR_01 = '2024-04-01T00:00:00.000Z';

const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

describe.each(storeVariants())(
  'versions and the two time axes, through the library (%s)',
  (_store, overrides) => {
    let fx: MemoryFixture;
    beforeEach(async () => {
      fx = await memoryFixture(overrides());
    });
    afterEach(async () => {
      await fx.close();
    });

    /** Checks the Boston → Chicago story on one memory id; `between` is a system time before the update. */
    async function expectBostonThenChicago(id: string, between: string) {
      const { memory } = fx;
      const feb = await memory.search('where does sarah live', { userId: 'sarah', asOf: FEB_01 });
      expect(feb.results.map((r) => [r.id, r.memory, r.version, r.valid_from, r.valid_to])).toEqual([
        [id, 'Lives in Boston', 1, JAN_10, MAR_01],
      ]);
      const now = await memory.search('where does sarah live', { userId: 'sarah' });
      expect(now.results.map((r) => [r.id, r.memory, r.version, r.valid_from, r.valid_to])).toEqual([
        [id, 'Lives in Chicago', 2, MAR_01, null],
      ]);
      expect(await memory.get(id, { asOf: FEB_01 })).toMatchObject({ memory: 'Lives in Boston', version: 1 });
      expect(await memory.get(id)).toMatchObject({
        memory: 'Lives in Chicago',
        version: 2,
        expired_at: null,
      });
      // What engram believed before it heard of the move: Boston, even for a date after it.
      expect(await memory.get(id, { asOf: APR_01, knownAt: between })).toMatchObject({
        memory: 'Lives in Boston',
        version: 1,
      });
      const believed = await memory.search('where does sarah live', {
        userId: 'sarah',
        asOf: APR_01,
        knownAt: between,
      });
      expect(believed.results.map((r) => r.memory)).toEqual(['Lives in Boston']);
      const history = await memory.history(id);
      expect(history.map((h) => [h.event, h.version, h.valid_from, h.valid_to])).toEqual([
        ['UPDATE', 2, MAR_01, null],
        ['ADD', 1, JAN_10, MAR_01],
      ]);
      const { results: versions } = await memory.versions(id);
      expect(versions.map((v) => [v.version, v.memory])).toEqual([
        [2, 'Lives in Chicago'],
        [1, 'Lives in Boston'],
      ]);
      expect(versions[1]!.expired_at).toBe(versions[0]!.recorded_at);
      await expect(memory.get(id, { asOf: '2023-06-01T00:00:00Z' })).rejects.toMatchObject({
        code: 'not_found',
      });
    }

    it('a user update opens a new version from its event time; asOf and knownAt select versions', async () => {
      const { memory } = fx;
      const added = await memory.add('Lives in Boston', { userId: 'sarah', infer: false, eventTime: JAN_10 });
      const id = added.results[0]!.id;
      await pause();
      const between = new Date().toISOString();
      await pause();
      const updated = await memory.update(id, { text: 'Lives in Chicago', eventTime: MAR_01 });
      expect(updated).toMatchObject({ id, memory: 'Lives in Chicago', version: 2, valid_from: MAR_01 });
      await expectBostonThenChicago(id, between);
    });

    it('the same story through an inferred add whose reconciler answers UPDATE', async () => {
      const { memory, ollama } = fx;
      ollama.scriptChat([facts({ text: 'Lives in Boston', category: 'location' })]);
      const first = await memory.add('I live in Boston', { userId: 'sarah', eventTime: JAN_10 });
      const id = first.results[0]!.id;
      await pause();
      const between = new Date().toISOString();
      await pause();
      ollama.scriptChat([
        facts({ text: 'Moved to Chicago', category: 'location' }),
        operations({ event: 'UPDATE', fact: 0, id: 0, text: 'Lives in Chicago' }),
      ]);
      const second = await memory.add('I moved to Chicago', { userId: 'sarah', eventTime: MAR_01 });
      expect(second.results).toEqual([
        { id, memory: 'Lives in Chicago', event: 'UPDATE', previous_memory: 'Lives in Boston' },
      ]);
      await expectBostonThenChicago(id, between);
    });

    it('refuses an update to text another active memory has (conflict), writing nothing', async () => {
      const { memory } = fx;
      const a = (await memory.add('Likes tea', { userId: 'sarah', infer: false })).results[0]!.id;
      await memory.add('Likes coffee', { userId: 'sarah', infer: false });
      await expect(memory.update(a, 'Likes coffee')).rejects.toMatchObject({
        code: 'conflict',
        category: 'conflict',
      });
      expect(await memory.get(a)).toMatchObject({ memory: 'Likes tea', version: 1 });
      expect(await memory.history(a)).toHaveLength(1);
    });

    it('folds a reconciler collision: the other memory is superseded by the updated one', async () => {
      const { memory, ollama } = fx;
      const tea = (await memory.add('Likes tea', { userId: 'sarah', infer: false })).results[0]!.id;
      const green = (await memory.add('Likes green tea', { userId: 'sarah', infer: false })).results[0]!.id;
      // A fact that is not already stored verbatim, so the reconciler is asked; it merges "Likes tea"
      // into the text "Likes green tea" — which another active memory already has.
      ollama.scriptChat([facts({ text: 'Prefers green tea to black', category: 'preference' })]);
      ollama.onChat((request) => {
        const prompt = request.messages.map((m) => m.content).join('\n');
        const match = /(\d+): Likes tea \(since/.exec(prompt);
        return operations({
          event: 'UPDATE',
          fact: 0,
          id: Number(match?.[1] ?? -1),
          text: 'Likes green tea',
        });
      });
      const result = await memory.add('I prefer green tea', { userId: 'sarah' });
      expect(result.results).toEqual([
        { id: tea, memory: 'Likes green tea', event: 'UPDATE', previous_memory: 'Likes tea' },
        { id: green, memory: 'Likes green tea', event: 'DELETE' },
      ]);
      const all = await memory.getAll({ userId: 'sarah', states: ['active', 'superseded'] });
      expect(all.results.map((r) => [r.id, r.state, r.superseded_by])).toEqual(
        expect.arrayContaining([
          [tea, 'active', null],
          [green, 'superseded', tea],
        ]),
      );
      expect((await memory.history(green)).map((h) => [h.event, h.reason])).toEqual([
        ['INVALIDATE', `folded into ${tea}`],
        ['ADD', null],
      ]);
    });

    it('merges metadata (null removes a key), or replaces it when asked', async () => {
      const { memory } = fx;
      const id = (
        await memory.add('Plays chess', {
          userId: 'sarah',
          infer: false,
          metadata: { level: 'club', city: 'Oslo', online: true },
        })
      ).results[0]!.id;
      const merged = await memory.update(id, { metadata: { level: 'master', city: null } });
      expect(merged.metadata).toEqual({ level: 'master', online: true });
      expect(merged.version).toBe(1);
      const replaced = await memory.update(id, { metadata: { source: 'import' }, replaceMetadata: true });
      expect(replaced.metadata).toEqual({ source: 'import' });
    });

    it('refuses edits it cannot honour, naming the problem', async () => {
      const { memory } = fx;
      const id = (await memory.add('Owns a bike', { userId: 'sarah', infer: false, eventTime: MAR_01 }))
        .results[0]!.id;
      await expect(memory.update(id, { text: 'Owns a red bike', eventTime: FEB_01 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining(MAR_01),
      });
      await expect(memory.update(id, { metadata: { a: 1 }, eventTime: APR_01 })).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('eventTime'),
      });
      await expect(memory.update(id, { text: 'x', colour: 'red' } as never)).rejects.toMatchObject({
        code: 'invalid_input',
        message: expect.stringContaining('colour'),
      });
      await expect(memory.update(id, { replaceMetadata: true, text: 'x' })).rejects.toMatchObject({
        code: 'invalid_input',
      });
      expect(await memory.get(id)).toMatchObject({ memory: 'Owns a bike', version: 1 });
    });
  },
);
