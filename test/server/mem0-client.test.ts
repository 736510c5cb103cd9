import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { factChatModel } from './fake-chat-model.js';
import { fakeEmbedder } from './server-fixture.js';

// The unmodified mem0ai client reads this once, at import: no telemetry calls from tests.
process.env.MEM0_TELEMETRY = 'false';
const { MemoryClient } = await import('mem0ai');
type Client = InstanceType<typeof MemoryClient>;

interface Added {
  results: { id: string; event: string; memory: string }[];
}
interface Queued {
  message: string;
  status: string;
  eventId: string;
}
/** What the client throws for an error answer: the status as `HTTP_<n>`, the body as the message. */
interface ClientError {
  errorCode: string;
  message: string;
}

const DOC = readFileSync(new URL('../../docs/mem0-compatibility.md', import.meta.url), 'utf8');

/** The rows of the table under `### <title>` in the doc's REST section: first cell, status cell. */
function docTable(title: string): { name: string; status: string; cells: string[] }[] {
  const rest = DOC.slice(DOC.indexOf('## REST'), DOC.indexOf('\n## ', DOC.indexOf('## REST') + 1));
  const start = rest.indexOf(`### ${title}`);
  expect(start, `docs/mem0-compatibility.md has "### ${title}" under "## REST"`).toBeGreaterThan(0);
  const lines = rest.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const rows = table
    .slice(
      0,
      table.findIndex((l) => !l.startsWith('|')),
    )
    .slice(2);
  return rows.map((row) => {
    const cells = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    return { name: cells[0]!.replaceAll('`', ''), status: cells[cells.length - 2]!, cells };
  });
}

async function rejection(call: Promise<unknown>): Promise<ClientError> {
  try {
    await call;
  } catch (error) {
    return error as ClientError;
  }
  throw new Error('expected the call to be refused');
}

describe('the unmodified mem0ai MemoryClient against engram serve', () => {
  let dir: string;
  let store: SqliteStore;
  let memory: Memory;
  let server: RunningServer;
  let client: Client;
  let key: string;
  let pinnedKey: string;
  const llm = factChatModel((prompt) => {
    if (prompt.includes('ZEBRA')) return ['Follows the project instructions'];
    if (prompt.includes('Remember only facts about: boats.')) return ['Follows includes'];
    if (prompt.includes('queued: I play chess')) return ['Plays chess'];
    if (prompt.includes('I am vegetarian and I live in Lisbon')) return ['Is vegetarian', 'Lives in Lisbon'];
    return [];
  });

  const http = async (method: string, path: string, body?: unknown, apiKey = key) => {
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers: { Authorization: `Token ${apiKey}`, 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  /** What the ingest worker does: lease the due jobs and run them. */
  const runQueued = async () => {
    const leased = await store.claimJobs({ limit: 10, now: new Date().toISOString(), leaseMs: 60_000 });
    for (const job of leased) {
      const result = await memory.runJob(job);
      await store.completeJob(
        job.tenant,
        job.id,
        JSON.parse(JSON.stringify(result)),
        new Date().toISOString(),
      );
    }
  };

  const addRaw = async (userId: string, content: string) =>
    ((await client.add([{ role: 'user', content }], { userId, infer: false })) as unknown as Added)
      .results[0]!.id;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-mem0-'));
    store = new SqliteStore({ path: join(dir, 'engram.db') });
    memory = new Memory(
      { dbPath: join(dir, 'engram.db'), embedder: null, llm: 'ollama:fake' },
      { store, embedder: fakeEmbedder, llm: [llm], env: {}, cwd: dir },
    );
    key = (await issueApiKey(await memory.store(), { tenant: 'acme' })).key;
    pinnedKey = (await issueApiKey(await memory.store(), { tenant: 'acme', userId: 'alice' })).key;
    server = await serve({ memory, host: '127.0.0.1', port: 0, rateLimit: null });
    client = new MemoryClient({ apiKey: key, host: server.url });
  });

  afterAll(async () => {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pings with the Token header; the tenant is the project of organisation "engram"', async () => {
    await expect(client.ping()).resolves.toBeUndefined();
    expect((await http('GET', '/v1/ping/')).json).toMatchObject({
      status: 'ok',
      org_id: 'engram',
      project_id: 'acme',
    });
    const bad = new MemoryClient({ apiKey: 'engram_wrong', host: server.url });
    await expect(bad.ping()).rejects.toThrow(/invalid_api_key/);
  });

  let hikingId = '';
  it('adds without inference', async () => {
    const res = (await client.add([{ role: 'user', content: 'I like hiking in the Alps' }], {
      userId: 'alice',
      infer: false,
      metadata: { source: 'test' },
    })) as unknown as Added & { status: string };
    expect(res.results).toHaveLength(1);
    expect(res.results[0]).toMatchObject({ event: 'ADD', memory: 'I like hiking in the Alps' });
    expect(res.status).toBe('SUCCEEDED');
    hikingId = res.results[0]!.id;
  });

  it('adds with inference (facts from the LLM)', async () => {
    const res = (await client.add([{ role: 'user', content: 'I am vegetarian and I live in Lisbon' }], {
      userId: 'alice',
    })) as unknown as Added;
    expect(res.results.map((r) => [r.event, r.memory])).toEqual([
      ['ADD', 'Is vegetarian'],
      ['ADD', 'Lives in Lisbon'],
    ]);
    expect(llm.calls).toBeGreaterThan(0);
  });

  it('honours add fields it can (includes as instructions) and refuses the others by name', async () => {
    const res = (await client.add([{ role: 'user', content: 'Anything' }], {
      userId: 'ivan',
      includes: 'boats',
    })) as unknown as Added;
    expect(res.results.map((r) => r.memory)).toEqual(['Follows includes']);
    const refused = await rejection(
      client.add([{ role: 'user', content: 'x' }], {
        userId: 'ivan',
        customCategories: [{ boats: 'Boats' }],
        structuredDataSchema: { type: 'object' },
        immutable: true,
      }),
    );
    expect(refused.errorCode).toBe('HTTP_400');
    expect(JSON.parse(refused.message).error.details.fields.map((f: { path: string }) => f.path)).toEqual([
      'custom_categories',
      'immutable',
      'structured_data_schema',
    ]);
    expect((await client.getAll({ filters: { user_id: 'ivan' } })).count).toBe(1);
    await client.deleteUsers({ userId: 'ivan' });
  });

  it('searches with topK and fields, lists (paginated) and gets', async () => {
    const found = await client.search('hiking Alps', { filters: { user_id: 'alice' }, topK: 1 });
    expect(found.results).toHaveLength(1);
    expect(found.results[0]?.id).toBe(hikingId);
    const picked = await client.search('hiking Alps', { filters: { user_id: 'alice' }, fields: ['memory'] });
    expect(Object.keys(picked.results[0]!).sort()).toEqual(['id', 'memory']);
    const all = await client.getAll({ filters: { user_id: 'alice' }, page: 1, pageSize: 2 });
    expect(all.count).toBe(3);
    expect(all.results).toHaveLength(2);
    expect(all.next).toContain('page=2');
    const page2 = await client.getAll({ filters: { AND: [{ user_id: 'alice' }] }, page: 2, pageSize: 2 });
    expect(page2.results).toHaveLength(1);
    expect(page2.previous).toContain('page=1');
    const one = await client.get(hikingId);
    expect(one).toMatchObject({
      id: hikingId,
      memory: 'I like hiking in the Alps',
      userId: 'alice',
      metadata: { source: 'test' },
      appId: null,
    });
  });

  it('updates text, metadata and expiration date, and shows history oldest first', async () => {
    await client.update(hikingId, { text: 'Loves hiking in the Alps' });
    await client.update(hikingId, { metadata: { mood: 'happy' }, expirationDate: '2999-01-01' });
    const got = await client.get(hikingId);
    expect(got).toMatchObject({
      memory: 'Loves hiking in the Alps',
      metadata: { source: 'test', mood: 'happy' },
      expirationDate: '2999-01-01',
    });
    const history = await client.history(hikingId);
    expect(history.map((h) => h.event)).toEqual(['ADD', 'UPDATE', 'UPDATE']);
    expect(history[1]).toMatchObject({
      oldMemory: 'I like hiking in the Alps',
      newMemory: 'Loves hiking in the Alps',
    });
  });

  it('keeps feedback with the memory, where get shows it; null clears it', async () => {
    await expect(
      client.feedback({ memoryId: hikingId, feedback: 'NEGATIVE' as never, feedbackReason: 'too vague' }),
    ).resolves.toEqual({ id: hikingId, feedback: 'NEGATIVE', feedbackReason: 'too vague' });
    expect((await client.get(hikingId)).metadata).toMatchObject({
      feedback: 'NEGATIVE',
      feedback_reason: 'too vague',
    });
    await client.feedback({ memoryId: hikingId, feedback: null });
    expect((await client.get(hikingId)).metadata).not.toHaveProperty('feedback');
    const bad = await rejection(client.feedback({ memoryId: hikingId, feedback: 'MEH' as never }));
    expect(bad.errorCode).toBe('HTTP_400');
  });

  it('lists entities page by page', async () => {
    await addRaw('bob', 'Bob likes tea');
    await addRaw('carol', 'Carol likes coffee');
    const first = await client.users({ page: 1, pageSize: 2 });
    expect(first.count).toBe(3);
    expect(first.results.map((u) => u.name)).toEqual(['alice', 'bob']);
    expect(first.results[0]).toMatchObject({ type: 'user', totalMemories: 3, owner: 'acme' });
    expect(first.next).toContain('page=2');
    const second = await client.users({ page: 2, pageSize: 2 });
    expect(second.results.map((u) => u.name)).toEqual(['carol']);
    expect(second.next).toBeNull();
    expect(second.previous).toContain('page=1');
  });

  it('runs batch update and delete, all or nothing', async () => {
    const all = await client.getAll({ filters: { user_id: 'alice' } });
    const lisbon = all.results.find((m) => m.memory === 'Lives in Lisbon')!;
    await client.batchUpdate([{ memoryId: lisbon.id, text: 'Lives in Porto' }]);
    expect((await client.get(lisbon.id)).memory).toBe('Lives in Porto');
    const refused = await rejection(client.batchDelete([lisbon.id, '00000000-0000-0000-0000-000000000000']));
    expect(refused.errorCode).toBe('HTTP_404');
    expect((await client.get(lisbon.id)).memory).toBe('Lives in Porto');
    await client.batchDelete([lisbon.id]);
    await expect(client.get(lisbon.id)).rejects.toThrow(/not_found/);
  });

  it('deletes one, a scope, and entities; app ids are refused by name', async () => {
    const one = await addRaw('dave', 'Dave memory');
    await expect(client.delete(one)).resolves.toMatchObject({ message: expect.any(String) });
    await expect(client.get(one)).rejects.toThrow(/not_found/);
    const linked = await rejection(client.delete(hikingId, { deleteLinked: true }));
    expect(linked.errorCode).toBe('HTTP_400');
    expect(linked.message).toMatch(/delete_linked/);
    await addRaw('erin', 'Erin memory');
    await client.deleteAll({ userId: 'erin' });
    expect((await client.getAll({ filters: { user_id: 'erin' } })).count).toBe(0);
    await addRaw('frank', 'Frank memory');
    await client.deleteUsers({ userId: 'frank' });
    expect((await client.getAll({ filters: { user_id: 'frank' } })).count).toBe(0);
    await addRaw('gina', 'Gina memory');
    await client.deleteUser({ entity_id: 'gina' as never, entity_type: 'user' });
    expect((await client.getAll({ filters: { user_id: 'gina' } })).count).toBe(0);
    await expect(client.deleteUsers({ appId: 'shop' })).rejects.toThrow(/app_id/);
    const app = await rejection(client.deleteAll({ appId: 'shop' }));
    expect(app.errorCode).toBe('HTTP_400');
    expect(app.message).toMatch(/unsupported_field.*app_id/);
    const inFilter = await rejection(
      client.getAll({ filters: { AND: [{ user_id: 'bob' }, { app_id: 'shop' }] } }),
    );
    expect(inFilter.message).toMatch(/filters\.AND\[1\]\.app_id/);
  });

  it('reads across entities with OR when every branch names a scope; a pinned key stays in its pin', async () => {
    const across = { OR: [{ user_id: 'bob' }, { user_id: 'carol' }] };
    const listed = await client.getAll({ filters: across });
    expect(listed.results.map((m) => m.memory).sort()).toEqual(['Bob likes tea', 'Carol likes coffee']);
    const found = await client.search('likes', { filters: across });
    expect(found.results.map((m) => m.memory).sort()).toEqual(['Bob likes tea', 'Carol likes coffee']);
    const unscoped = await rejection(
      client.getAll({ filters: { OR: [{ user_id: 'bob' }, { memory_type: 'episodic' }] } }),
    );
    expect(unscoped.errorCode).toBe('HTTP_400');
    expect(unscoped.message).toMatch(/scope_required/);
    const pinned = new MemoryClient({ apiKey: pinnedKey, host: server.url });
    const mine = await pinned.getAll({ filters: { OR: [{ user_id: 'alice' }, { user_id: 'bob' }] } });
    expect(new Set(mine.results.map((m) => m.userId))).toEqual(new Set(['alice']));
  });

  it('queues with async_mode: mem0 shape, and the event route follows the job', async () => {
    const res = (await client.add([{ role: 'user', content: 'queued: I play chess' }], {
      userId: 'carol',
      asyncMode: true,
    })) as unknown as Queued;
    expect(res).toMatchObject({ status: 'PENDING', message: expect.stringContaining('queued') });
    const pending = await http('GET', `/v1/event/${res.eventId}/`);
    expect(pending.json).toMatchObject({
      id: res.eventId,
      event_type: 'ADD',
      status: 'PENDING',
      results: [],
    });
    await runQueued();
    const done = await http('GET', `/v1/event/${res.eventId}/`);
    expect(done.json).toMatchObject({
      status: 'SUCCEEDED',
      results: [{ event: 'ADD', memory: 'Plays chess', data: { memory: 'Plays chess' } }],
      error: null,
    });
    const memories = await client.getAll({ filters: { user_id: 'carol' } });
    expect(memories.results.map((m) => m.memory).sort()).toEqual(['Carol likes coffee', 'Plays chess']);
    const elsewhere = await http('GET', `/v1/event/${res.eventId}/`, undefined, pinnedKey);
    expect(elsewhere.status).toBe(404);
  });

  it('keeps the project: custom instructions reach inferred adds; fields it cannot honour are refused', async () => {
    await client.updateProject({ customInstructions: 'Remember ZEBRA things only' });
    expect(await client.getProject({ fields: ['custom_instructions'] })).toEqual({
      customInstructions: 'Remember ZEBRA things only',
    });
    const res = (await client.add([{ role: 'user', content: 'Something unrelated' }], {
      userId: 'hana',
    })) as unknown as Added;
    expect(res.results.map((r) => r.memory)).toEqual(['Follows the project instructions']);
    const refused = await rejection(
      client.updateProject({ customCategories: [{ food: 'Food' }], decay: true }),
    );
    expect(refused.errorCode).toBe('HTTP_400');
    expect(refused.message).toMatch(/custom_categories/);
    expect(refused.message).toMatch(/decay/);
    const pinned = new MemoryClient({ apiKey: pinnedKey, host: server.url });
    expect((await rejection(pinned.updateProject({ customInstructions: 'x' }))).errorCode).toBe('HTTP_403');
    await client.updateProject({ customInstructions: '' });
    expect((await client.getProject({ fields: [] })).customInstructions).toBeNull();
  });

  it('manages webhooks of the project', async () => {
    const made = await client.createWebhook({
      name: 'logger',
      url: 'http://127.0.0.1:9/hook',
      eventTypes: ['memory_add' as never],
    });
    expect(made).toMatchObject({
      name: 'logger',
      project: 'acme',
      isActive: true,
      eventTypes: ['memory_add'],
    });
    expect((made as unknown as { secret: string }).secret).toMatch(/^whsec_/);
    await client.updateWebhook({
      webhookId: made.webhookId!,
      name: 'renamed',
      eventTypes: ['memory_delete' as never],
    });
    const listed = await client.getWebhooks();
    expect(listed).toEqual([expect.objectContaining({ webhookId: made.webhookId, name: 'renamed' })]);
    expect(listed[0]).not.toHaveProperty('secret');
    await client.deleteWebhook({ webhookId: made.webhookId! });
    expect(await client.getWebhooks()).toEqual([]);
    const categorize = await rejection(
      client.createWebhook({
        name: 'c',
        url: 'http://127.0.0.1:9/',
        eventTypes: ['memory_categorize' as never],
      }),
    );
    expect(categorize.message).toMatch(/memory_categorize/);
  });

  it('exports memories shaped by the schema, computed on read', async () => {
    const schema = {
      type: 'object',
      properties: {
        memories: {
          type: 'array',
          items: { type: 'object', properties: { memory: { type: 'string' }, source: { type: 'string' } } },
        },
      },
    };
    const created = await client.createMemoryExport({ schema, filters: { AND: [{ user_id: 'bob' }] } });
    expect(created).toMatchObject({ id: expect.any(String), message: expect.any(String) });
    const byId = await client.getMemoryExport({ memoryExportId: created.id });
    expect(byId).toEqual({ memories: [{ memory: 'Bob likes tea', source: null }] });
    const byFilters = await client.getMemoryExport({ filters: { AND: [{ user_id: 'bob' }] } });
    expect(byFilters).toEqual(byId);
    const badFilters = await rejection(
      client.createMemoryExport({ schema, filters: { memory_type: 'semantic' } }),
    );
    expect(badFilters.errorCode).toBe('HTTP_400');
    expect(badFilters.message).toMatch(/scope_required/);
  });

  it('answers every profile method with 501 naming it', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['getProfile', () => client.getProfile({ entityId: 'alice' })],
      ['generateProfile', () => client.generateProfile({ entityId: 'alice' })],
      ['getProfileSettings', () => client.getProfileSettings()],
      ['updateProfileSettings', () => client.updateProfileSettings({ enabled: true })],
      ['sampleProfiles', () => client.sampleProfiles({ limit: 2 })],
      ['getProfileJob', () => client.getProfileJob('job-1')],
    ];
    for (const [name, call] of calls) {
      const error = await rejection(call());
      expect(error.errorCode, name).toBe('HTTP_501');
      expect(JSON.parse(error.message)).toMatchObject({
        error: { code: 'not_implemented', details: { method: `MemoryClient.${name}` } },
      });
    }
  });

  describe('docs/mem0-compatibility.md stays true', () => {
    /** One call per MemoryClient method, each on data of its own. */
    const calls: Record<string, () => Promise<unknown>> = {
      ping: () => client.ping(),
      add: () => client.add([{ role: 'user', content: 'table add' }], { userId: 'table', infer: false }),
      update: async () => client.update(await addRaw('table', 'table update'), { text: 'table updated' }),
      get: async () => client.get(await addRaw('table', 'table get')),
      getAll: () => client.getAll({ filters: { user_id: 'table' } }),
      search: () => client.search('table', { filters: { user_id: 'table' } }),
      delete: async () => client.delete(await addRaw('table', 'table delete')),
      deleteAll: async () => {
        await addRaw('table-all', 'table delete all');
        return client.deleteAll({ userId: 'table-all' });
      },
      history: async () => client.history(await addRaw('table', 'table history')),
      users: () => client.users({ page: 1, pageSize: 10 }),
      deleteUser: async () => {
        await addRaw('table-user', 'table delete user');
        return client.deleteUser({ entity_id: 'table-user' as never, entity_type: 'user' });
      },
      deleteUsers: async () => {
        await addRaw('table-users', 'table delete users');
        return client.deleteUsers({ userId: 'table-users' });
      },
      batchUpdate: async () =>
        client.batchUpdate([{ memoryId: await addRaw('table', 'table batch'), text: 'b2' }]),
      batchDelete: async () => client.batchDelete([await addRaw('table', 'table batch delete')]),
      getProject: () => client.getProject({}),
      updateProject: () => client.updateProject({ description: 'table' }),
      getWebhooks: () => client.getWebhooks(),
      createWebhook: async () => {
        const hook = await client.createWebhook({
          name: 'table',
          url: 'http://127.0.0.1:9/',
          eventTypes: ['memory_add' as never],
        });
        await client.deleteWebhook({ webhookId: hook.webhookId! });
        return hook;
      },
      updateWebhook: async () => {
        const hook = await client.createWebhook({
          name: 'table',
          url: 'http://127.0.0.1:9/',
          eventTypes: ['memory_add' as never],
        });
        await client.updateWebhook({ webhookId: hook.webhookId!, name: 'table renamed' });
        return client.deleteWebhook({ webhookId: hook.webhookId! });
      },
      deleteWebhook: async () => {
        const hook = await client.createWebhook({
          name: 'table',
          url: 'http://127.0.0.1:9/',
          eventTypes: ['memory_add' as never],
        });
        return client.deleteWebhook({ webhookId: hook.webhookId! });
      },
      feedback: async () =>
        client.feedback({ memoryId: await addRaw('table', 'table feedback'), feedback: null }),
      getProfile: () => client.getProfile({ entityId: 'table' }),
      generateProfile: () => client.generateProfile({ entityId: 'table' }),
      getProfileSettings: () => client.getProfileSettings(),
      updateProfileSettings: () => client.updateProfileSettings({ enabled: false }),
      sampleProfiles: () => client.sampleProfiles(),
      getProfileJob: () => client.getProfileJob('job-1'),
      createMemoryExport: () =>
        client.createMemoryExport({ schema: { type: 'object' }, filters: { AND: [{ user_id: 'table' }] } }),
      getMemoryExport: async () => {
        const made = await client.createMemoryExport({ schema: {}, filters: { user_id: 'table' } });
        return client.getMemoryExport({ memoryExportId: made.id });
      },
    };

    it('lists every public MemoryClient method, and nothing else', () => {
      const methods = Object.getOwnPropertyNames(MemoryClient.prototype).filter(
        (n) => n !== 'constructor' && !n.startsWith('_'),
      );
      expect(methods.length).toBeGreaterThanOrEqual(29);
      expect(
        docTable('MemoryClient methods')
          .map((r) => r.name)
          .sort(),
      ).toEqual(methods.sort());
      expect(Object.keys(calls).sort()).toEqual(methods.sort());
    });

    it('each method does what its row says: works (same / differs) or is refused with 501 naming it', async () => {
      for (const row of docTable('MemoryClient methods')) {
        const call = calls[row.name]!;
        if (row.status === 'refused (501)') {
          const error = await rejection(call());
          expect(error.errorCode, row.name).toBe('HTTP_501');
          expect(error.message, row.name).toContain(`MemoryClient.${row.name}`);
        } else {
          expect(['same', 'differs'], row.name).toContain(row.status);
          await expect(call(), row.name).resolves.not.toThrow();
        }
      }
    });

    /** Path values and bodies that make each working route succeed. */
    const routeFixtures: Record<
      string,
      () => Promise<{ path?: Record<string, string>; body?: unknown; query?: string }>
    > = {
      'POST /v1/memories/': async () => ({
        body: { messages: [{ role: 'user', content: 'v1 add' }], user_id: 'routes', infer: false },
      }),
      'GET /v1/memories/': async () => ({ query: 'user_id=routes' }),
      'POST /v2/memories/': async () => ({ body: { filters: { user_id: 'routes' } } }),
      'POST /v2/memories/search/': async () => ({ body: { query: 'add', filters: { user_id: 'routes' } } }),
      'POST /v1/memories/search/': async () => ({ body: { query: 'add', user_id: 'routes' } }),
      'GET /v1/memories/{entity_type}/{entity_id}/': async () => ({
        path: { entity_type: 'user', entity_id: 'routes' },
      }),
      'GET /v2/entities/{entity_type}/{entity_id}/': async () => ({
        path: { entity_type: 'user', entity_id: 'routes' },
      }),
      'GET /v1/event/{event_id}/': async () => {
        const queued = (await client.add([{ role: 'user', content: 'routes event' }], {
          userId: 'routes',
          asyncMode: true,
        })) as unknown as Queued;
        return { path: { event_id: queued.eventId } };
      },
      'POST /memories': async () => ({
        body: { messages: [{ role: 'user', content: 'oss add' }], user_id: 'routes', infer: false },
      }),
      'GET /memories': async () => ({ query: 'user_id=routes&top_k=1' }),
      'GET /memories/{memory_id}': async () => ({ path: { memory_id: await addRaw('routes', 'oss get') } }),
      'PUT /memories/{memory_id}': async () => ({
        path: { memory_id: await addRaw('routes', 'oss put') },
        body: { text: 'oss put changed' },
      }),
      'GET /memories/{memory_id}/history': async () => ({
        path: { memory_id: await addRaw('routes', 'oss history') },
      }),
      'DELETE /memories/{memory_id}': async () => ({
        path: { memory_id: await addRaw('routes', 'oss delete') },
      }),
      'DELETE /memories': async () => {
        await addRaw('routes-gone', 'oss delete all');
        return { query: 'user_id=routes-gone' };
      },
      'POST /search': async () => ({ body: { query: 'add', user_id: 'routes', top_k: 1 } }),
      'POST /reset': async () => ({}),
      'GET /entities': async () => ({}),
      'DELETE /entities/{entity_type}/{entity_id}': async () => {
        await addRaw('routes-entity', 'oss entity');
        return { path: { entity_type: 'user', entity_id: 'routes-entity' } };
      },
      'GET /configure': async () => ({}),
      'GET /configure/providers': async () => ({}),
      'POST /configure': async () => ({ body: {} }),
    };

    it('each other mem0 route does what its row says, and none is a 404', async () => {
      // Routes that need an admin key (reset, configure) run with one of a tenant of their own.
      const admin = (await issueApiKey(await memory.store(), { tenant: 'routes-admin', admin: true })).key;
      const rows = docTable('Other mem0 routes');
      expect(rows.length).toBeGreaterThan(20);
      for (const row of rows) {
        const [method, template] = row.name.split(' ') as [string, string];
        const refused = row.status === 'refused (501)';
        const fixture = refused ? {} : await routeFixtures[row.name]?.();
        expect(fixture, `a fixture for ${row.name}`).toBeDefined();
        const path = template.replace(
          /\{(\w+)\}/g,
          (_, name: string) => fixture?.path?.[name] ?? `x-${name}`,
        );
        const adminOnly = ['POST /reset', 'POST /configure'].includes(row.name);
        const res = await http(
          method,
          `${path}${fixture?.query ? `?${fixture.query}` : ''}`,
          fixture?.body ?? (method === 'GET' || method === 'DELETE' ? undefined : {}),
          adminOnly ? admin : key,
        );
        if (refused) {
          expect(res.status, row.name).toBe(501);
          expect(res.json, row.name).toMatchObject({ error: { code: 'not_implemented' } });
        } else {
          expect(['same', 'differs'], row.name).toContain(row.status);
          expect([200, 201], `${row.name}: ${JSON.stringify(res.json)}`).toContain(res.status);
        }
      }
    });
  });
});
