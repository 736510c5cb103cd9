import { afterEach, describe, expect, it } from 'vitest';
import { openPrincipal } from '../../src/memory/access/principal.js';
import { ScopedMemory } from '../../src/memory/access/scoped-memory.js';
import { delayedEmbedder, type EngineFixture, engineFixture, factPerLineModel } from './engine-fakes.js';

/**
 * The engine's clock is `deps.now`: every instant engram records or defaults to comes from it, so
 * a clock set in the past (a replay, a test) never mixes with the wall clock.
 */
describe('the injected clock', () => {
  let fx: EngineFixture;
  let now: Date;
  afterEach(async () => {
    await fx.close();
  });
  const start = (deps: Parameters<typeof engineFixture>[0] = {}) => {
    now = new Date('2020-06-01T00:00:00.000Z');
    fx = engineFixture({ embedder: delayedEmbedder(), now: () => now, ...deps });
  };

  it('logs messages at the engine time (before: the wall clock)', async () => {
    start();
    await fx.memory.add('I play the cello', { userId: 'u', infer: false });
    const [logged] = await (await fx.memory.store()).recentMessages({ tenant: 'default', userId: 'u' }, 5);
    expect(logged?.createdAt).toBe('2020-06-01T00:00:00.000Z');
  });

  it('schedules the retry of a failed add from the engine time (before: the wall clock)', async () => {
    const llm = factPerLineModel();
    llm.down = true;
    start({ llm: [llm] });
    const out = await fx.memory.add('I play the cello', { userId: 'u' });
    expect(out.status).toBe('pending');
    expect((await fx.memory.getJob(out.job_id!)).next_attempt_at).toBe('2020-06-01T00:00:30.000Z');
  });

  it('a window with one instant gets the other from the engine clock, for get and search', async () => {
    start();
    const [added] = (
      await fx.memory.add('Lives in Boston', { userId: 'u', infer: false, eventTime: '2019-01-01T00:00:00Z' })
    ).results;
    now = new Date('2020-07-01T00:00:00.000Z');
    await fx.memory.update(added!.id, { text: 'Lives in Chicago', eventTime: '2020-05-01T00:00:00Z' });
    // The clock goes back to before engram heard of the move: asOf May 15 is Boston, as known then.
    now = new Date('2020-06-15T00:00:00.000Z');
    expect((await fx.memory.get(added!.id, { asOf: '2020-05-15T00:00:00Z' })).memory).toBe('Lives in Boston');
    const found = await fx.memory.search('lives', { userId: 'u', asOf: '2020-05-15T00:00:00Z' });
    expect(found.results.map((r) => r.memory)).toEqual(['Lives in Boston']);
    // knownAt alone: asOf is the engine's now (June 15), when Boston was still believed.
    expect((await fx.memory.get(added!.id, { knownAt: '2020-06-20T00:00:00Z' })).memory).toBe(
      'Lives in Boston',
    );
  });

  it('a revoked key records the engine time (before: the wall clock)', async () => {
    start();
    const scoped = new ScopedMemory(fx.memory, openPrincipal('default'));
    const { record } = await scoped.createKey({ name: 'k' });
    expect(record.createdAt).toBe('2020-06-01T00:00:00.000Z');
    expect((await scoped.revokeKey(record.id)).revokedAt).toBe('2020-06-01T00:00:00.000Z');
  });
});
