import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { factChatModel } from './fake-chat-model.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

type Item = { id: string; memory: string; user_id: string | null; session_id?: string | null };
type Page = { count: number; next: string | null; previous: string | null; results: Item[] };
type ErrorBody = {
  error: { code: string; message: string; details: { fields?: { path: string }[] } | null };
};

/** The routes older mem0ai clients and mem0's self-hosted server call, in-process. */
describe('mem0 v1/v2 routes, X-API-Key and the self-hosted server routes', () => {
  let f: ServerFixture;
  const v1Add = (content: string, extra: Record<string, unknown> = {}) =>
    call(f.app, 'POST', '/v1/memories/', f.keys.userA, {
      messages: [{ role: 'user', content }],
      user_id: 'alice',
      infer: false,
      ...extra,
    });

  beforeAll(async () => {
    f = await serverFixture({ rateLimit: null, llm: [factChatModel(() => [])] });
    for (const content of ['Likes tea', 'Likes coffee', 'Likes cocoa']) await v1Add(content);
  });

  afterAll(async () => {
    await f.cleanup();
  });

  it('accepts X-API-Key like Authorization; Token/Bearer wins when both come', async () => {
    const viaHeader = await f.app.request('/memories?user_id=alice', {
      headers: { 'X-API-Key': f.keys.userA },
    });
    expect(viaHeader.status).toBe(200);
    const wrong = await f.app.request('/memories?user_id=alice', {
      headers: { 'X-API-Key': 'engram_wrong' },
    });
    expect(wrong.status).toBe(401);
    const both = await f.app.request('/v1/ping/', {
      headers: { Authorization: `Token ${f.keys.adminB}`, 'X-API-Key': f.keys.userA },
    });
    expect(await both.json()).toMatchObject({ project_id: 'B' });
    const basic = await f.app.request('/v1/ping/', {
      headers: { Authorization: 'Basic dXNlcjpwYXNz', 'X-API-Key': f.keys.userA },
    });
    expect(await basic.json()).toMatchObject({ project_id: 'A' });
    const none = await f.app.request('/v1/ping/');
    expect(((await none.json()) as ErrorBody).error.message).toMatch(/X-API-Key/);
  });

  it('POST /v1/memories/ answers a bare list, or {results, relations} with output_format v1.1 and version v2', async () => {
    const bare = await v1Add('Likes mate');
    expect(bare.status).toBe(200);
    expect(bare.json).toEqual([
      expect.objectContaining({ event: 'ADD', memory: 'Likes mate', data: { memory: 'Likes mate' } }),
    ]);
    const wrapped = await v1Add('Likes chai', { output_format: 'v1.1', version: 'v2' });
    expect(wrapped.json).toMatchObject({ results: [{ memory: 'Likes chai' }], relations: [] });
    const queued = await v1Add('queued', { async_mode: true, infer: true });
    expect(queued.json).toEqual([
      { message: expect.any(String), status: 'PENDING', event_id: expect.any(String) },
    ]);
    const app = await v1Add('With an app', { app_id: 'shop' });
    expect(app.status).toBe(400);
    expect((app.json as ErrorBody).error).toMatchObject({
      code: 'unsupported_field',
      details: { fields: [{ path: 'app_id' }] },
    });
  });

  it('GET /v1/memories/ lists a bare list, or a page with page and page_size; refuses query filters', async () => {
    const bare = await call(f.app, 'GET', '/v1/memories/?user_id=alice&limit=2', f.keys.userA);
    expect((bare.json as Item[]).length).toBe(2);
    expect((bare.json as Item[])[0]).toHaveProperty('session_id', null);
    const page = await call(f.app, 'GET', '/v1/memories/?user_id=alice&page=2&page_size=2', f.keys.userA);
    expect(page.json).toMatchObject({ count: 5, previous: expect.stringContaining('page=1') });
    expect((page.json as Page).results).toHaveLength(2);
    const filtered = await call(f.app, 'GET', '/v1/memories/?user_id=alice&metadata=%7B%7D', f.keys.userA);
    expect(filtered.status).toBe(400);
    expect((filtered.json as ErrorBody).error.code).toBe('unsupported_field');
  });

  it('POST /v2/memories/ lists with filters; paginated with page and page_size', async () => {
    const bare = await call(f.app, 'POST', '/v2/memories/', f.keys.userA, { filters: { user_id: 'alice' } });
    expect((bare.json as Item[]).map((m) => m.memory)).toContain('Likes tea');
    const page = await call(f.app, 'POST', '/v2/memories/?page=1&page_size=3', f.keys.userA, {
      filters: { AND: [{ user_id: 'alice' }] },
    });
    expect(page.json).toMatchObject({ count: 5, next: expect.stringContaining('page=2'), previous: null });
  });

  it('POST /v2/memories/search/ and /v1/memories/search/ answer lists; top_k is honoured', async () => {
    const v2 = await call(f.app, 'POST', '/v2/memories/search/', f.keys.userA, {
      query: 'tea',
      filters: { user_id: 'alice' },
      top_k: 1,
    });
    expect((v2.json as Item[]).map((m) => m.memory)).toEqual(['Likes tea']);
    const v1 = await call(f.app, 'POST', '/v1/memories/search/', f.keys.userA, {
      query: 'tea',
      user_id: 'alice',
    });
    expect((v1.json as Item[])[0]?.memory).toBe('Likes tea');
    const v11 = await call(f.app, 'POST', '/v1/memories/search/', f.keys.userA, {
      query: 'tea',
      user_id: 'alice',
      output_format: 'v1.1',
    });
    expect((v11.json as { results: Item[] }).results[0]?.memory).toBe('Likes tea');
  });

  it('the self-hosted GET /memories and POST /search honour top_k', async () => {
    const listed = await call(f.app, 'GET', '/memories?user_id=alice&top_k=2', f.keys.userA);
    expect((listed.json as { results: Item[] }).results).toHaveLength(2);
    const searched = await call(f.app, 'POST', '/search', f.keys.userA, {
      query: 'likes',
      filters: { user_id: 'alice' },
      top_k: 3,
    });
    expect((searched.json as { results: Item[] }).results).toHaveLength(3);
    const disagree = await call(f.app, 'GET', '/memories?user_id=alice&top_k=2&limit=3', f.keys.userA);
    expect(disagree.status).toBe(400);
  });

  it('passes icontains and the "*" wildcard through to the engine', async () => {
    await v1Add('Likes hot chocolate', { user_id: 'zoe', metadata: { topic: 'Hot Drinks' } });
    const icontains = await call(f.app, 'POST', '/v3/memories/', f.keys.userA, {
      filters: { AND: [{ user_id: 'zoe' }, { topic: { icontains: 'hot drinks' } }] },
    });
    expect((icontains.json as Page).results.map((m) => m.memory)).toEqual(['Likes hot chocolate']);
    const wildcard = await call(f.app, 'POST', '/v3/memories/', f.keys.userA, {
      filters: { AND: [{ user_id: 'alice' }, { run_id: '*' }] },
    });
    expect(wildcard.status).toBe(200);
    expect((wildcard.json as Page).count).toBe(0);
  });

  it('/entities lists users with counts; DELETE /entities/{type}/{id} deletes one', async () => {
    await call(f.app, 'POST', '/memories', f.keys.userA, {
      messages: 'Bob note',
      user_id: 'bob',
      infer: false,
    });
    const listed = await call(f.app, 'GET', '/entities', f.keys.userA);
    expect(listed.json).toEqual([
      expect.objectContaining({ id: 'alice', type: 'user', total_memories: 5 }),
      expect.objectContaining({ id: 'bob', type: 'user', total_memories: 1 }),
      expect.objectContaining({ id: 'zoe', type: 'user', total_memories: 1 }),
    ]);
    const deleted = await call(f.app, 'DELETE', '/entities/user/bob', f.keys.userA);
    expect(deleted.json).toEqual({ message: 'Entity deleted' });
    expect((await call(f.app, 'GET', '/entities', f.keys.userA)).json).toHaveLength(2);
    const app = await call(f.app, 'DELETE', '/entities/app/shop', f.keys.userA);
    expect((app.json as ErrorBody).error.details?.fields?.[0]?.path).toBe('app_id');
  });

  it('/configure: any key reads it; an admin changes custom_instructions, the rest is refused by name', async () => {
    const read = await call(f.app, 'GET', '/configure', f.keys.userA);
    expect(read.json).toMatchObject({
      version: 'engram',
      vector_store: { provider: 'sqlite' },
      custom_instructions: null,
    });
    expect(JSON.stringify(read.json)).not.toMatch(/apiKey|api_key|dbPath/);
    const providers = await call(f.app, 'GET', '/configure/providers', f.keys.userA);
    expect((providers.json as { llm: string[] }).llm).toContain('openai');
    expect((await call(f.app, 'POST', '/configure', f.keys.userA, {})).status).toBe(403);
    const set = await call(f.app, 'POST', '/configure', f.keys.adminA, { custom_instructions: 'Only food' });
    expect(set.status).toBe(200);
    expect((await call(f.app, 'GET', '/configure', f.keys.userA)).json).toMatchObject({
      custom_instructions: 'Only food',
    });
    const fixed = await call(f.app, 'POST', '/configure', f.keys.adminA, {
      llm: { provider: 'openai', config: { model: 'gpt-4o' } },
      vector_store: { provider: 'qdrant' },
      custom_instructions: 'ignored, because the rest is refused',
    });
    expect(fixed.status).toBe(400);
    expect((fixed.json as ErrorBody).error.details?.fields?.map((x) => x.path)).toEqual([
      'llm',
      'vector_store',
    ]);
    expect((await call(f.app, 'GET', '/configure', f.keys.userA)).json).toMatchObject({
      custom_instructions: 'Only food',
    });
  });

  it('GET /v1/memories/{type}/{id}/ pages an entity; GET /v2/entities/{type}/{id}/ shows one', async () => {
    const page = await call(f.app, 'GET', '/v1/memories/user/alice/?page=1&page_size=2', f.keys.userA);
    expect(page.json).toMatchObject({ count: 5, next: expect.stringContaining('page=2') });
    const one = await call(f.app, 'GET', '/v2/entities/user/alice/', f.keys.userA);
    expect(one.json).toEqual([expect.objectContaining({ id: 'alice', type: 'user', total_memories: 5 })]);
    expect((await call(f.app, 'GET', '/v2/entities/user/nobody/', f.keys.userA)).status).toBe(404);
    expect((await call(f.app, 'GET', '/v2/entities/user/alice/', f.keys.adminB)).status).toBe(404);
  });
});
