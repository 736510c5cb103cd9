import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngramClient } from '../../src/client/engram-client.js';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { factChatModel } from './fake-chat-model.js';
import { fakeEmbedder } from './server-fixture.js';

// The unmodified mem0ai client reads this once, at import: no telemetry calls from tests.
process.env.MEM0_TELEMETRY = 'false';
const { MemoryClient } = await import('mem0ai');

interface AddResponse {
  results: { id: string; event: string; memory: string; status?: string; eventId?: string }[];
}

describe('the unmodified mem0ai MemoryClient against engram serve', () => {
  let dir: string;
  let store: SqliteStore;
  let memory: Memory;
  let server: RunningServer;
  let client: InstanceType<typeof MemoryClient>;
  let key: string;
  const llm = factChatModel((prompt) => {
    if (prompt.includes('queued: I play chess')) return ['Plays chess'];
    if (prompt.includes('I am vegetarian and I live in Lisbon')) return ['Is vegetarian', 'Lives in Lisbon'];
    return [];
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-mem0-'));
    store = new SqliteStore({ path: join(dir, 'engram.db') });
    memory = new Memory(
      { dbPath: join(dir, 'engram.db'), embedder: null, llm: 'ollama:fake' },
      { store, embedder: fakeEmbedder, llm: [llm], env: {}, cwd: dir },
    );
    key = (await issueApiKey(await memory.store(), { tenant: 'acme' })).key;
    server = await serve({ memory, host: '127.0.0.1', port: 0 });
    client = new MemoryClient({ apiKey: key, host: server.url });
  });

  afterAll(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings with the Token header', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
    const bad = new MemoryClient({ apiKey: 'engram_wrong', host: server.url });
    await expect(bad.ping()).rejects.toThrow(/invalid_api_key/);
  });

  let hikingId = '';
  it('adds without inference', async () => {
    const res = (await client.add([{ role: 'user', content: 'I like hiking in the Alps' }], {
      userId: 'alice',
      infer: false,
      metadata: { source: 'test' },
    })) as unknown as AddResponse;
    expect(res.results).toHaveLength(1);
    expect(res.results[0]).toMatchObject({ event: 'ADD', memory: 'I like hiking in the Alps' });
    hikingId = res.results[0]!.id;
  });

  it('adds with inference (facts from the LLM)', async () => {
    const res = (await client.add([{ role: 'user', content: 'I am vegetarian and I live in Lisbon' }], {
      userId: 'alice',
    })) as unknown as AddResponse;
    expect(res.results.map((r) => [r.event, r.memory])).toEqual([
      ['ADD', 'Is vegetarian'],
      ['ADD', 'Lives in Lisbon'],
    ]);
    expect(llm.calls).toBeGreaterThan(0);
  });

  it('searches, lists (paginated) and gets', async () => {
    const found = await client.search('hiking Alps', { filters: { user_id: 'alice' }, topK: 2 });
    expect(found.results[0]?.id).toBe(hikingId);
    const all = await client.getAll({ filters: { user_id: 'alice' }, page: 1, pageSize: 2 });
    expect(all.count).toBe(3);
    expect(all.results).toHaveLength(2);
    expect(all.next).toContain('page=2');
    const page2 = await client.getAll({ filters: { AND: [{ user_id: 'alice' }] }, page: 2, pageSize: 2 });
    expect(page2.results).toHaveLength(1);
    const one = await client.get(hikingId);
    expect(one).toMatchObject({
      id: hikingId,
      memory: 'I like hiking in the Alps',
      userId: 'alice',
      metadata: { source: 'test' },
    });
  });

  it('updates and shows history', async () => {
    await client.update(hikingId, { text: 'Loves hiking in the Alps' });
    expect((await client.get(hikingId)).memory).toBe('Loves hiking in the Alps');
    const history = await client.history(hikingId);
    expect(history.map((h) => h.event)).toEqual(['ADD', 'UPDATE']);
    expect(history[1]).toMatchObject({
      oldMemory: 'I like hiking in the Alps',
      newMemory: 'Loves hiking in the Alps',
    });
  });

  it('lists entities and runs batch update / delete', async () => {
    const users = await client.users();
    expect(users.results).toEqual([
      expect.objectContaining({ name: 'alice', type: 'user', totalMemories: 3 }),
    ]);
    const all = await client.getAll({ filters: { user_id: 'alice' } });
    const lisbon = all.results.find((m) => m.memory === 'Lives in Lisbon')!;
    await client.batchUpdate([{ memoryId: lisbon.id, text: 'Lives in Porto' }]);
    expect((await client.get(lisbon.id)).memory).toBe('Lives in Porto');
    await client.batchDelete([lisbon.id]);
    await expect(client.get(lisbon.id)).rejects.toThrow(/not_found/);
  });

  it('deletes one, then all of a scope', async () => {
    await expect(client.delete(hikingId)).resolves.toMatchObject({ message: expect.any(String) });
    await expect(client.get(hikingId)).rejects.toThrow();
    await client.add([{ role: 'user', content: 'Bob memory' }], { userId: 'bob', infer: false });
    await client.deleteAll({ userId: 'alice' });
    expect((await client.getAll({ filters: { user_id: 'alice' } })).count).toBe(0);
    expect((await client.getAll({ filters: { user_id: 'bob' } })).count).toBe(1);
    await client.deleteUsers({ userId: 'bob' });
    expect((await client.getAll({ filters: { user_id: 'bob' } })).count).toBe(0);
  });

  it('queues with async_mode, and the job is visible at /jobs/{id}', async () => {
    const res = (await client.add([{ role: 'user', content: 'queued: I play chess' }], {
      userId: 'carol',
      asyncMode: true,
    })) as unknown as AddResponse;
    expect(res.results[0]).toMatchObject({ status: 'PENDING' });
    const jobId = res.results[0]!.eventId!;
    const native = new EngramClient({ baseUrl: server.url, apiKey: key });
    expect(await native.job(jobId)).toMatchObject({ id: jobId, state: 'pending' });
    // What the ingest worker does: lease the job and run it.
    const [leased] = await store.claimJobs({ limit: 1, now: new Date().toISOString(), leaseMs: 60_000 });
    const result = await memory.runJob(leased!);
    await store.completeJob(
      leased!.tenant,
      leased!.id,
      JSON.parse(JSON.stringify(result)),
      new Date().toISOString(),
    );
    expect(await native.job(jobId)).toMatchObject({ state: 'done' });
    expect((await client.getAll({ filters: { user_id: 'carol' } })).results.map((m) => m.memory)).toEqual([
      'Plays chess',
    ]);
  });
});
