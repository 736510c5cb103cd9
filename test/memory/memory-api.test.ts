import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { type MemoryFixture, memoryFixture } from './memory-fixture.js';

describe('Memory API (infer: false) against a real SQLite file and a fake Ollama', () => {
  let fx: MemoryFixture;
  let memory: Memory;
  beforeEach(async () => {
    fx = await memoryFixture({ limits: { maxTextChars: 200 } });
    memory = fx.memory;
  });
  afterEach(async () => {
    await fx.close();
  });

  const count = async (userId: string) =>
    (await memory.getAll({ userId, states: ['active', 'superseded'] })).total;

  it('adds, reads, searches, updates, deletes and keeps history, in mem0 shapes', async () => {
    const added = await memory.add(
      [
        { role: 'user', content: 'I love hiking in the Alps' },
        { role: 'assistant', content: 'That sounds wonderful' },
        { role: 'system', content: 'ignored: system turns are not memories' },
      ],
      { userId: 'alice', infer: false, metadata: { topic: 'outdoors' }, eventTime: '2024-03-01T10:00:00Z' },
    );
    expect(added.results.map((r) => [r.event, r.memory])).toEqual([
      ['ADD', 'I love hiking in the Alps'],
      ['ADD', 'That sounds wonderful'],
    ]);
    const id = added.results[0]!.id;
    const item = await memory.get(id);
    expect(item).toMatchObject({
      id,
      memory: 'I love hiking in the Alps',
      metadata: { topic: 'outdoors' },
      user_id: 'alice',
      agent_id: null,
      run_id: null,
      role: 'user',
      state: 'active',
      valid_from: '2024-03-01T10:00:00.000Z',
      valid_to: null,
      importance: 0.5,
    });
    expect(item.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(item.created_at).toEqual(expect.any(String));

    const again = await memory.add('I love hiking in the Alps', { userId: 'alice', infer: false });
    expect(again.results).toEqual([expect.objectContaining({ id, event: 'NONE' })]);

    const found = await memory.search('hiking', { userId: 'alice', explain: true });
    expect(found.results[0]).toMatchObject({ id, memory: 'I love hiking in the Alps' });
    expect(found.results[0]!.score).toBeGreaterThan(0);
    expect(found.results[0]!.explain).toMatchObject({
      weights: { relevance: 0.7, recency: 0.15, importance: 0.15 },
    });
    expect(found.degraded).toBeUndefined();

    const updated = await memory.update(id, 'I love hiking in the Dolomites');
    expect(updated).toMatchObject({ id, memory: 'I love hiking in the Dolomites' });
    expect((await memory.search('Dolomites', { userId: 'alice' })).results[0]?.id).toBe(id);
    await memory.update(id, { metadata: { topic: 'mountains' } });
    expect((await memory.get(id)).metadata).toEqual({ topic: 'mountains' });

    await memory.delete(id);
    await expect(memory.get(id)).rejects.toMatchObject({ code: 'not_found' });
    const history = await memory.history(id);
    expect(history.map((h) => h.event)).toEqual(['DELETE', 'UPDATE', 'UPDATE', 'ADD']);
    expect(history[2]).toMatchObject({
      old_memory: 'I love hiking in the Alps',
      new_memory: 'I love hiking in the Dolomites',
    });
  });

  it('keeps user, agent and run scopes apart', async () => {
    await memory.add('alice secret garden', { userId: 'alice', infer: false });
    await memory.add('bob secret garage', { userId: 'bob', infer: false });
    await memory.add('agent note about gardens', { agentId: 'helper', infer: false });
    await memory.add('run scratch garden', { userId: 'alice', runId: 'r1', infer: false });
    const bob = await memory.search('secret garden', { userId: 'bob' });
    expect(bob.results.map((r) => r.memory)).toEqual(['bob secret garage']);
    expect((await memory.getAll({ userId: 'alice' })).total).toBe(2);
    expect((await memory.getAll({ userId: 'alice', runId: 'r1' })).results.map((r) => r.memory)).toEqual([
      'run scratch garden',
    ]);
    expect((await memory.getAll({ agentId: 'helper' })).results.map((r) => r.memory)).toEqual([
      'agent note about gardens',
    ]);
    const other = memory.forTenant('other-tenant');
    expect((await other.getAll({ userId: 'alice' })).total).toBe(0);
    const [aliceItem] = (await memory.getAll({ userId: 'alice' })).results;
    await expect(other.get(aliceItem!.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(other.delete(aliceItem!.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await count('alice')).toBe(2);
  });

  it('pages with a cursor and never truncates silently', async () => {
    const batch = Array.from({ length: 30 }, (_, i) => ({ role: 'user', content: `fact ${i}` }));
    await memory.add(batch, { userId: 'p', infer: false });
    const first = await memory.getAll({ userId: 'p', limit: 20 });
    expect(first.results).toHaveLength(20);
    expect(first.total).toBe(30);
    expect(first.next_cursor).toEqual(expect.any(String));
    const second = await memory.getAll({ userId: 'p', limit: 20, cursor: first.next_cursor! });
    expect(second.results).toHaveLength(10);
    expect(second.next_cursor).toBeNull();
  });

  it('filters with the mem0 language and rejects what it does not support, by name', async () => {
    await memory.add('cheap lunch', { userId: 'f', infer: false, metadata: { price: 8, tags: ['food'] } });
    await memory.add('fancy dinner', {
      userId: 'f',
      infer: false,
      metadata: { price: 80, tags: ['food', 'date'] },
    });
    const cheap = await memory.getAll({ userId: 'f', filters: { price: { lt: 10 } } });
    expect(cheap.results.map((r) => r.memory)).toEqual(['cheap lunch']);
    const dates = await memory.search('dinner lunch', {
      filters: { AND: [{ user_id: 'f' }, { tags: { contains: 'date' } }] },
    });
    expect(dates.results.map((r) => r.memory)).toEqual(['fancy dinner']);
    await expect(
      memory.getAll({ userId: 'f', filters: { price: { between: [1, 2] } } as never }),
    ).rejects.toMatchObject({
      code: 'invalid_filter',
      message: expect.stringContaining('"between"'),
    });
    await expect(memory.getAll({ userId: 'f', filters: { hash: 'x' } })).rejects.toMatchObject({
      code: 'invalid_filter',
      message: expect.stringContaining('"hash"'),
    });
    // An OR is scoped when every branch names a scope (see mem0-options.test.ts); one that does not is refused.
    await expect(
      memory.search('x', { filters: { OR: [{ user_id: 'f' }, { 'metadata.topic': 'g' }] } }),
    ).rejects.toMatchObject({
      code: 'scope_required',
    });
    await expect(memory.search('x', { filters: { NOT: { user_id: 'f' } } })).rejects.toMatchObject({
      code: 'scope_required',
    });
  });

  it('answers asOf on the world time axis and degrades to keyword-only without an embedder', async () => {
    await memory.add('was in Lisbon', { userId: 't', infer: false, eventTime: '2020-01-01T00:00:00Z' });
    expect((await memory.search('Lisbon', { userId: 't', asOf: '2019-06-01' })).results).toEqual([]);
    expect((await memory.search('Lisbon', { userId: 't', asOf: '2021-06-01' })).results).toHaveLength(1);
    const offline = fx.reopen({
      embedder: {
        provider: 'ollama',
        model: 'nomic-embed-text',
        baseUrl: 'http://127.0.0.1:9',
        maxRetries: 0,
      },
    });
    const result = await offline.search('Lisbon', { userId: 't' });
    expect(result.degraded).toBe('keyword-only');
    expect(result.degraded_reason).toMatch(/Could not reach Ollama/);
    expect(result.results.map((r) => r.memory)).toEqual(['was in Lisbon']);
  });

  it('rejects bad input with a clear error and writes nothing', async () => {
    const before = await count('x');
    await expect(memory.add('   ', { userId: 'x', infer: false })).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(memory.add('y'.repeat(201), { userId: 'x', infer: false })).rejects.toMatchObject({
      code: 'text_too_long',
      message: expect.stringContaining('limits.maxTextChars'),
    });
    await expect(memory.add('no scope', { infer: false })).rejects.toMatchObject({ code: 'scope_required' });
    // A queued add is checked like add(): a procedural memory needs an agent.
    await expect(memory.enqueueAdd('steps', { userId: 'x', memoryType: 'procedural' })).rejects.toMatchObject(
      {
        code: 'invalid_input',
        message: expect.stringContaining('agentId'),
      },
    );
    await expect(
      memory.add('bad meta', { userId: 'x', infer: false, metadata: [] as never }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      memory.add('bad time', { userId: 'x', infer: false, eventTime: 'yesterday-ish' }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(
      memory.add([{ role: 'user' }] as never, { userId: 'x', infer: false }),
    ).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(memory.update('00000000-0000-0000-0000-000000000000', 'x')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(memory.history('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(memory.deleteAll({})).rejects.toMatchObject({ code: 'scope_required' });
    await expect(memory.reset()).rejects.toMatchObject({ code: 'confirmation_required' });
    const offline = fx.reopen({
      embedder: {
        provider: 'ollama',
        model: 'nomic-embed-text',
        baseUrl: 'http://127.0.0.1:9',
        maxRetries: 0,
      },
    });
    await expect(
      offline.add('while the embedder is down', { userId: 'x', infer: false }),
    ).rejects.toMatchObject({
      code: 'embedder_unreachable',
    });
    expect(await count('x')).toBe(before);
    expect(await (await memory.store()).recentMessages({ tenant: 'default', userId: 'x' }, 10)).toEqual([]);
    expect(() => new Memory({ search: { weights: { recency: 'high' } } } as never, { env: {} })).toThrow(
      /search\.weights\.recency/,
    );
  });

  it('resets only its tenant, and only when confirmed', async () => {
    await memory.add('keep me', { userId: 'r', infer: false });
    const other = memory.forTenant('t2');
    await other.add('wipe me', { userId: 'r', infer: false });
    await other.reset({ confirm: true });
    expect((await other.getAll({ userId: 'r' })).total).toBe(0);
    expect((await memory.getAll({ userId: 'r' })).total).toBe(1);
  });
});
