import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HistoryItem, MemoryItem, SearchResult, VersionItem } from '../../src/memory/api-types.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

const JAN_10 = '2024-01-10T00:00:00.000Z';
const FEB_01 = '2024-02-01T00:00:00.000Z';
const MAR_01 = '2024-03-01T00:00:00.000Z';
const APR_01 = '2024-04-01T00:00:00.000Z';

describe('versions over REST: as_of, known_at, history, conflicts, metadata merge', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  const add = async (text: string, extra: Record<string, unknown> = {}) => {
    const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: text,
      user_id: 'sarah',
      infer: false,
      ...extra,
    });
    expect(res.status).toBe(200);
    return (res.json as { results: { id: string }[] }).results[0]!.id;
  };

  it('Boston, then Chicago: each front-end read sees the version true at the time asked', async () => {
    const id = await add('Lives in Boston', { event_time: JAN_10 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const put = await call(f.app, 'PUT', `/memories/${id}`, f.keys.adminA, {
      text: 'Lives in Chicago',
      event_time: MAR_01,
    });
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      id,
      memory: 'Lives in Chicago',
      version: 2,
      valid_from: MAR_01,
      valid_to: null,
    });

    const search = async (body: Record<string, unknown>) =>
      (
        (
          await call(f.app, 'POST', '/search', f.keys.adminA, {
            query: 'where does sarah live',
            user_id: 'sarah',
            ...body,
          })
        ).json as SearchResult
      ).results.map((r) => [r.memory, r.version]);
    expect(await search({ as_of: FEB_01 })).toEqual([['Lives in Boston', 1]]);
    expect(await search({})).toEqual([['Lives in Chicago', 2]]);
    expect(await search({ as_of: APR_01, known_at: between })).toEqual([['Lives in Boston', 1]]);

    const get = async (query: string) =>
      (await call(f.app, 'GET', `/memories/${id}${query}`, f.keys.adminA)).json as MemoryItem;
    expect(await get(`?as_of=${FEB_01}`)).toMatchObject({
      memory: 'Lives in Boston',
      version: 1,
      valid_to: MAR_01,
    });
    expect(await get('')).toMatchObject({ memory: 'Lives in Chicago', version: 2 });
    expect(await get(`?as_of=${APR_01}&known_at=${encodeURIComponent(between)}`)).toMatchObject({
      version: 1,
    });
    const before = await call(f.app, 'GET', `/memories/${id}?as_of=2023-01-01T00:00:00Z`, f.keys.adminA);
    expect(before.status).toBe(404);

    const history = (await call(f.app, 'GET', `/memories/${id}/history`, f.keys.adminA))
      .json as HistoryItem[];
    expect(history.map((h) => [h.event, h.version, h.valid_from, h.valid_to])).toEqual([
      ['UPDATE', 2, MAR_01, null],
      ['ADD', 1, JAN_10, MAR_01],
    ]);
    const versions = (await call(f.app, 'GET', `/memories/${id}/versions`, f.keys.adminA)).json as {
      results: VersionItem[];
    };
    expect(versions.results.map((v) => [v.version, v.memory])).toEqual([
      [2, 'Lives in Chicago'],
      [1, 'Lives in Boston'],
    ]);
    // Another tenant's key learns nothing, with or without a time.
    for (const query of ['', `?as_of=${FEB_01}`, '/versions', '/history']) {
      const other = await call(f.app, 'GET', `/memories/${id}${query}`, f.keys.adminB);
      expect(other.status).toBe(404);
    }
  });

  it('409 conflict when the new text is another active memory of the scope, and nothing is written', async () => {
    const tea = await add('Likes tea');
    await add('Likes coffee');
    const res = await call(f.app, 'PUT', `/memories/${tea}`, f.keys.adminA, { text: 'Likes coffee' });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ error: { code: 'conflict' } });
    expect((await call(f.app, 'GET', `/memories/${tea}`, f.keys.adminA)).json).toMatchObject({
      memory: 'Likes tea',
      version: 1,
    });
    expect((await call(f.app, 'GET', `/memories/${tea}/history`, f.keys.adminA)).json).toHaveLength(1);
  });

  it('merges metadata on PATCH (null removes a key) and replaces it on request', async () => {
    const id = await add('Plays chess', { metadata: { level: 'club', city: 'Oslo' } });
    const merged = await call(f.app, 'PATCH', `/memories/${id}`, f.keys.adminA, {
      metadata: { level: 'master', city: null },
    });
    expect((merged.json as MemoryItem).metadata).toEqual({ level: 'master' });
    const replaced = await call(f.app, 'PUT', `/memories/${id}`, f.keys.adminA, {
      metadata: { source: 'import' },
      replace_metadata: true,
    });
    expect((replaced.json as MemoryItem).metadata).toEqual({ source: 'import' });
  });

  it('a key pinned to another user gets the same 404 for a time query as for a plain get', async () => {
    const id = await add('Lives in Boston', { event_time: JAN_10 });
    const plain = await call(f.app, 'GET', `/memories/${id}`, f.keys.pinnedAlice);
    const timed = await call(f.app, 'GET', `/memories/${id}?as_of=2023-01-01T00:00:00Z`, f.keys.pinnedAlice);
    expect(plain.status).toBe(404);
    expect(timed.status).toBe(404);
    expect(timed.json).toEqual(plain.json);
  });
});
