import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

interface Added {
  results: { id: string; memory: string }[];
}

describe('tenant isolation and pinned keys', () => {
  let f: ServerFixture;
  let bId: string;
  beforeEach(async () => {
    f = await serverFixture();
    const added = await call(f.app, 'POST', '/memories', f.keys.adminB, {
      messages: 'B secret: the vault code is 1234',
      user_id: 'alice',
      infer: false,
    });
    expect(added.status).toBe(200);
    bId = (added.json as Added).results[0]!.id;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it.each([
    ['GET', (id: string) => `/memories/${id}`],
    ['PUT', (id: string) => `/memories/${id}`],
    ['DELETE', (id: string) => `/memories/${id}`],
    ['GET', (id: string) => `/memories/${id}/history`],
    ['GET', (id: string) => `/v1/memories/${id}/`],
    ['PUT', (id: string) => `/v1/memories/${id}/`],
    ['DELETE', (id: string) => `/v1/memories/${id}/`],
    ['GET', (id: string) => `/v1/memories/${id}/history/`],
  ])('a tenant A key gets 404 for tenant B’s id on %s %s', async (method, path) => {
    const body = method === 'PUT' ? { text: 'overwritten' } : undefined;
    const res = await call(f.app, method, path(bId), f.keys.adminA, body);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'not_found' } });
    const still = await call(f.app, 'GET', `/memories/${bId}`, f.keys.adminB);
    expect(still.json).toMatchObject({ memory: 'B secret: the vault code is 1234' });
  });

  it('lists and searches only the key’s tenant', async () => {
    const list = await call(f.app, 'GET', '/memories?user_id=alice', f.keys.userA);
    expect(list.json).toMatchObject({ results: [], total: 0 });
    const search = await call(f.app, 'POST', '/search', f.keys.userA, {
      query: 'vault code',
      user_id: 'alice',
    });
    expect((search.json as Added).results).toEqual([]);
  });

  describe('a key pinned to user alice', () => {
    let bobId: string;
    beforeEach(async () => {
      const res = await call(f.app, 'POST', '/memories', f.keys.userA, {
        messages: 'Bob likes tea',
        user_id: 'bob',
        infer: false,
      });
      bobId = (res.json as Added).results[0]!.id;
      await call(f.app, 'POST', '/memories', f.keys.pinnedAlice, {
        messages: 'Alice likes coffee',
        infer: false,
      });
    });

    it('writes into its pin without naming it', async () => {
      const res = await call(f.app, 'GET', '/memories', f.keys.pinnedAlice);
      expect(res.json).toMatchObject({
        total: 1,
        results: [{ memory: 'Alice likes coffee', user_id: 'alice' }],
      });
    });

    it('is refused (403) when it names another user, in the scope or in filters', async () => {
      const asBob = await call(f.app, 'GET', '/memories?user_id=bob', f.keys.pinnedAlice);
      expect(asBob.status).toBe(403);
      expect(asBob.json).toMatchObject({
        error: { code: 'scope_forbidden', details: { field: 'user_id', pinned: 'alice' } },
      });
      const viaFilter = await call(f.app, 'POST', '/search', f.keys.pinnedAlice, {
        query: 'tea',
        filters: { user_id: 'bob' },
      });
      expect(viaFilter.status).toBe(403);
      const viaAnd = await call(f.app, 'POST', '/v3/memories/', f.keys.pinnedAlice, {
        filters: { AND: [{ user_id: 'bob' }] },
      });
      expect(viaAnd.status).toBe(403);
      const add = await call(f.app, 'POST', '/memories', f.keys.pinnedAlice, {
        messages: 'x',
        user_id: 'bob',
        infer: false,
      });
      expect(add.status).toBe(403);
      const wipe = await call(f.app, 'DELETE', '/memories?user_id=bob', f.keys.pinnedAlice);
      expect(wipe.status).toBe(403);
    });

    it('cannot widen through OR filters: the pin is ANDed in', async () => {
      const res = await call(f.app, 'POST', '/search', f.keys.pinnedAlice, {
        query: 'likes',
        filters: { OR: [{ user_id: 'bob' }, { user_id: 'alice' }] },
      });
      expect(res.status).toBe(200);
      expect((res.json as Added).results.map((r) => r.memory)).toEqual(['Alice likes coffee']);
    });

    it('gets 404 for another user’s memory of the same tenant, by id', async () => {
      for (const [method, path] of [
        ['GET', `/memories/${bobId}`],
        ['PUT', `/memories/${bobId}`],
        ['DELETE', `/memories/${bobId}`],
        ['GET', `/memories/${bobId}/history`],
      ] as const) {
        const res = await call(
          f.app,
          method,
          path,
          f.keys.pinnedAlice,
          method === 'PUT' ? { text: 'x' } : undefined,
        );
        expect(res.status, `${method} ${path}`).toBe(404);
      }
    });

    it('deleteAll without a scope deletes only its pin', async () => {
      const res = await call(f.app, 'DELETE', '/memories', f.keys.pinnedAlice);
      expect(res.json).toMatchObject({ deleted: 1 });
      const bob = await call(f.app, 'GET', `/memories/${bobId}`, f.keys.userA);
      expect(bob.status).toBe(200);
    });
  });

  it('admin operations need an admin key', async () => {
    expect((await call(f.app, 'POST', '/reset', f.keys.userA)).status).toBe(403);
    expect((await call(f.app, 'POST', '/keys', f.keys.userA, {})).json).toMatchObject({
      error: { code: 'admin_required' },
    });
    const created = await call(f.app, 'POST', '/keys', f.keys.adminA, { user_id: 'carol' });
    expect(created.status).toBe(201);
    const { key, id, tenant } = created.json as { key: string; id: string; tenant: string };
    expect(tenant).toBe('A');
    expect((await call(f.app, 'GET', '/memories', key)).json).toMatchObject({ total: 0 });
    expect((await call(f.app, 'DELETE', `/keys/${id}`, f.keys.adminB)).status).toBe(404);
    expect((await call(f.app, 'DELETE', `/keys/${id}`, f.keys.adminA)).status).toBe(200);
    expect((await call(f.app, 'GET', '/memories', key)).status).toBe(401);
    // reset wipes tenant A only
    expect((await call(f.app, 'POST', '/reset', f.keys.adminA)).status).toBe(200);
    expect((await call(f.app, 'GET', `/memories/${bId}`, f.keys.adminB)).status).toBe(200);
  });

  it('accepts Bearer as well as Token, and 401s without or with a wrong key', async () => {
    const bearer = await f.app.request('/memories?user_id=alice', {
      headers: { Authorization: `Bearer ${f.keys.adminB}` },
    });
    expect(bearer.status).toBe(200);
    const none = await call(f.app, 'GET', '/memories?user_id=alice', null);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await call(f.app, 'GET', '/memories?user_id=alice', 'engram_wrong')).json).toMatchObject({
      error: { code: 'invalid_api_key' },
    });
  });
});
