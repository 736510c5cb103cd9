import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/mem0/index.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { delayedEmbedder, factPerLineModel } from '../memory/engine-fakes.js';

/**
 * engram/mem0 on its own: what the side-by-side test cannot show (engram-only behaviour, the
 * refusals' wording, config warnings), on in-process fakes.
 */
describe('engram/mem0 Memory', () => {
  let dir: string;
  let memory: Memory;
  let llm: ReturnType<typeof factPerLineModel>;
  let now: Date;

  function open(config: Record<string, unknown> = {}): Memory {
    return new Memory(
      {
        vectorStore: { provider: 'memory', config: { dbPath: join(dir, 'engram.db') } },
        llm: { provider: 'ollama', config: { model: 'fake' } },
        embedder: { provider: 'ollama', config: { model: 'fake' } },
        ...config,
      },
      { embedder: delayedEmbedder(), llm: [llm], env: {}, cwd: dir, now: () => now },
    );
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'engram-mem0-unit-'));
    llm = factPerLineModel();
    now = new Date('2026-06-10T12:00:00.000Z');
    memory = open();
  });
  afterEach(async () => {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const refusal = async (call: () => Promise<unknown>): Promise<MemoryError> => {
    const error = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MemoryError);
    return error as MemoryError;
  };

  async function addOne(text: string, options: Record<string, unknown> = {}): Promise<string> {
    const added = await memory.add(text, { userId: 'u', infer: false, ...options });
    return added.results[0]!.id;
  }

  it('answers null and [] for an id it does not know', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    expect(await memory.get(unknown)).toBeNull();
    expect(await memory.history(unknown)).toEqual([]);
  });

  it("returns items in mem0's shape: camelCase times, metadata without scope ids, unset scopes left out", async () => {
    const id = await addOne('likes tea', { metadata: { topic: 'drinks', user_id: 'ignored' } });
    const item = await memory.get(id);
    expect(item).toEqual({
      id,
      memory: 'likes tea',
      hash: expect.any(String),
      createdAt: '2026-06-10T12:00:00.000Z',
      updatedAt: '2026-06-10T12:00:00.000Z',
      metadata: { topic: 'drinks' },
      user_id: 'u',
    });
  });

  it('updates with a message, merges metadata (null removes a key) and keeps every event in history', async () => {
    const id = await addOne('likes tea', { metadata: { a: 1, b: 2 } });
    now = new Date('2026-06-11T08:00:00.000Z');
    expect(await memory.update(id, 'likes green tea')).toEqual({ message: 'Memory updated successfully!' });
    expect(await memory.update(id, { metadata: { b: null, c: 3 } })).toEqual({
      message: 'Memory updated successfully!',
    });
    expect(await memory.update(id, { data: 'likes jasmine tea' })).toEqual({
      message: 'Memory updated successfully!',
    });
    const item = await memory.get(id);
    expect(item?.memory).toBe('likes jasmine tea');
    expect(item?.metadata).toEqual({ a: 1, c: 3 });
    expect(await memory.delete(id)).toEqual({ message: 'Memory deleted successfully!' });
    expect(await memory.get(id)).toBeNull();

    const rows = await memory.history(id);
    expect(rows.map((r) => [r.action, r.previous_value, r.new_value, r.is_deleted])).toEqual([
      ['DELETE', 'likes jasmine tea', null, 1],
      ['UPDATE', 'likes green tea', 'likes jasmine tea', 0],
      ['UPDATE', 'likes green tea', 'likes green tea', 0],
      ['UPDATE', 'likes tea', 'likes green tea', 0],
      ['ADD', null, 'likes tea', 0],
    ]);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(
        [
          'action',
          'created_at',
          'id',
          'is_deleted',
          'memory_id',
          'new_value',
          'previous_value',
          'updated_at',
        ].sort(),
      );
      expect(row.memory_id).toBe(id);
      expect(row.created_at).toBe('2026-06-10T12:00:00.000Z');
      expect(row.updated_at).toBe(row.action === 'ADD' ? null : '2026-06-11T08:00:00.000Z');
    }
  });

  it('hides a memory past its expirationDate until showExpired, and update clears it', async () => {
    const id = await addOne('has a dentist appointment', { expirationDate: '2026-06-09' });
    await addOne('likes tea');
    const texts = (r: { results: { memory: string }[] }) => r.results.map((m) => m.memory).sort();
    expect(texts(await memory.getAll({ filters: { user_id: 'u' } }))).toEqual(['likes tea']);
    expect(texts(await memory.getAll({ filters: { user_id: 'u' }, showExpired: true }))).toEqual([
      'has a dentist appointment',
      'likes tea',
    ]);
    // Search ranks every memory of the scope; the expired one is left out unless asked for.
    expect(texts(await memory.search('dentist', { filters: { user_id: 'u' } }))).not.toContain(
      'has a dentist appointment',
    );
    expect(texts(await memory.search('dentist', { filters: { user_id: 'u' }, showExpired: true }))).toContain(
      'has a dentist appointment',
    );
    expect((await memory.get(id))?.metadata).toEqual({ expiration_date: '2026-06-09' });
    await memory.update(id, { expirationDate: null });
    expect(texts(await memory.getAll({ filters: { user_id: 'u' } }))).toHaveLength(2);
  });

  it('takes the scope of an add from filters, and refuses two scopes that disagree', async () => {
    const added = await memory.add('likes tea', { filters: { user_id: 'u' }, infer: false });
    expect((await memory.get(added.results[0]!.id))?.user_id).toBe('u');
    const error = await refusal(() => memory.add('x', { userId: 'u', filters: { user_id: 'v' } }));
    expect(error.message).toMatch(/userId.*filters\.user_id/);
    expect((await refusal(() => memory.add('x', { filters: { user_id: 'u', topic: 'a' } }))).message).toMatch(
      /filters.*topic/,
    );
  });

  it('dates memories with timestamp (engram world time; mem0ai/oss refuses it)', async () => {
    const id = await addOne('lived in Paris', { timestamp: '2024-03-01' });
    expect((await memory.engram.get(id)).valid_from).toBe('2024-03-01T00:00:00.000Z');
    const error = await refusal(() => addOne('x', { timestamp: 'last spring' }));
    expect(error.message).toMatch(/timestamp/);
  });

  it('searches with topK, threshold and explain (engram breakdown under score_details)', async () => {
    await addOne('likes green tea');
    await addOne('likes black tea');
    await addOne('plays chess');
    const found = await memory.search('tea', { filters: { user_id: 'u' }, topK: 1, explain: true });
    expect(found.results).toHaveLength(1);
    expect(found.results[0]?.score).toEqual(expect.any(Number));
    expect(Object.keys(found.results[0]?.score_details ?? {})).toEqual(
      expect.arrayContaining(['vector', 'keyword', 'relevance', 'recency', 'importance', 'weights', 'score']),
    );
    expect((await memory.search('tea', { filters: { user_id: 'u' }, topK: 0 })).results).toEqual([]);
    expect((await memory.search('tea', { filters: { user_id: 'u' }, threshold: 1 })).results).toEqual([]);
    expect((await memory.getAll({ filters: { user_id: 'u' }, topK: 2 })).results).toHaveLength(2);
  });

  it("passes mem0's filter operators through: icontains and the '*' wildcard", async () => {
    await addOne('likes tea', { metadata: { topic: 'Drinks' } });
    await addOne('plays chess');
    const texts = (r: { results: { memory: string }[] }) => r.results.map((m) => m.memory);
    expect(texts(await memory.getAll({ filters: { user_id: 'u', topic: { icontains: 'DRINK' } } }))).toEqual([
      'likes tea',
    ]);
    expect(texts(await memory.getAll({ filters: { user_id: 'u', topic: '*' } }))).toEqual(['likes tea']);
  });

  it('refuses every option it does not honour, naming it', async () => {
    const scope = { filters: { user_id: 'u' } };
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => memory.search('tea', { ...scope, referenceDate: '2024-01-01' }), /referenceDate.*asOf/],
      [() => memory.search('tea', { ...scope, rerank: true }), /rerank/],
      [() => memory.search('tea', { ...scope, limit: 3 } as never), /does not take limit/],
      [() => memory.add('tea', { user_id: 'u' } as never), /does not take user_id/],
      [() => memory.add('tea', { userId: 'u', infer: 'no' } as never), /infer/],
      [() => memory.search('tea', { userId: 'u' } as never), /filters.*userId|userId.*filters/],
      [() => memory.getAll({ user_id: 'u' } as never), /filters/],
      [() => memory.search('tea', { ...scope, topK: 1001 }), /topK/],
      [() => memory.getAll({ ...scope, topK: -1 }), /topK/],
      [() => memory.search('tea', { ...scope, threshold: 2 }), /threshold/],
      [() => memory.update('x', { text: 'a', data: 'b' }), /text and data/],
      [() => memory.update('x', { replaceMetadata: true } as never), /replaceMetadata/],
      [() => memory.update('x', {}), /text, metadata or expirationDate/],
      [
        () =>
          memory.add([{ role: 'user', content: { type: 'image_url', image_url: { url: 'x' } } }], {
            userId: 'u',
          }),
        /image/,
      ],
      [() => memory.add([], { userId: 'u' }), /no messages/],
      [() => memory.add(' ', { userId: 'u' }), /empty/],
      [() => memory.add('tea', { userId: 'u', expirationDate: '2026-02-30' }), /expirationDate/],
      [() => memory.add('tea', { userId: 'bad id' }), /userId.*whitespace/],
      [() => memory.updateProject(), /updateProject/],
      [() => memory.updateProject({ decay: true }), /decay/],
    ];
    for (const [call, message] of cases) expect((await refusal(call)).message).toMatch(message);
  });

  it('says which scope is missing, in mem0 terms', async () => {
    expect((await refusal(() => memory.add('tea', {}))).message).toMatch(/userId, agentId or runId/);
    expect((await refusal(() => memory.search('tea', {}))).message).toMatch(/filters.*user_id/);
    expect((await refusal(() => memory.getAll({ filters: { topic: 'x' } }))).message).toMatch(
      /filters.*user_id/,
    );
    expect((await refusal(() => memory.deleteAll({}))).message).toMatch(/userId, agentId or runId.*reset/);
  });

  it('deletes a scope with deleteAll and everything with reset', async () => {
    await addOne('likes tea');
    await memory.add('likes coffee', { userId: 'w', infer: false });
    expect(await memory.deleteAll({ userId: 'u' })).toEqual({ message: 'Memories deleted successfully!' });
    expect((await memory.getAll({ filters: { user_id: 'u' } })).results).toEqual([]);
    expect(await memory.reset()).toBeUndefined();
    expect((await memory.getAll({ filters: { user_id: 'w' } })).results).toEqual([]);
  });

  it("infers with the config's customInstructions, and reports a failed extraction by throwing, naming its job", async () => {
    await memory.close();
    memory = open({ customInstructions: 'Keep only food preferences.' });
    const added = await memory.add('I like tea', { userId: 'u' });
    expect(added.results.map((r) => r.metadata.event)).toEqual(['ADD']);
    expect(llm.prompts.at(-1)).toContain('Keep only food preferences.');

    llm.down = true;
    const error = await refusal(() => memory.add('I like coffee', { userId: 'u' }));
    expect(error.code).toBe('llm_unreachable');
    const jobId = error.details?.job_id as string;
    expect(error.message).toContain(jobId);
    llm.down = false;
    await memory.engram.retryJobs(jobId);
    expect((await memory.getAll({ filters: { user_id: 'u' } })).results).toHaveLength(2);
  });

  it('keeps the config warnings and emits each once per process', async () => {
    const emitted: Error[] = [];
    const listen = (warning: Error) => emitted.push(warning);
    process.on('warning', listen);
    try {
      const config = { reranker: { provider: 'cohere', config: {} }, disableHistory: true };
      const first = open(config);
      const second = Memory.fromConfig({
        ...config,
        vectorStore: { provider: 'memory', config: { dbPath: join(dir, 'engram.db') } },
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(first.warnings.join('\n')).toMatch(/reranker.*ignored/);
      expect(first.warnings.join('\n')).toMatch(/disableHistory/);
      expect(second.warnings).toEqual(expect.arrayContaining(first.warnings));
      const ours = emitted.filter((w) => (w as Error & { code?: string }).code === 'ENGRAM_CONFIG');
      expect(ours.map((w) => w.message).filter((m) => /reranker/.test(m))).toHaveLength(1);
      await first.close();
      await second.close();
    } finally {
      process.off('warning', listen);
    }
  });
});
