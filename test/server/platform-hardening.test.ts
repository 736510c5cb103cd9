import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

interface Added {
  results: { id: string; memory: string }[];
}

async function addOne(f: ServerFixture, key: string, text: string, userId?: string): Promise<string> {
  const res = await call(f.app, 'POST', '/memories', key, {
    messages: text,
    ...(userId === undefined ? {} : { user_id: userId }),
    infer: false,
  });
  expect(res.status).toBe(200);
  return (res.json as Added).results[0]!.id;
}

const texts = async (f: ServerFixture, key: string, query = '') =>
  ((await call(f.app, 'GET', `/memories${query}`, key)).json as Added).results.map((r) => r.memory).sort();

describe('entity types are looked up by name, never through an object prototype', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
    await addOne(f, f.keys.pinnedAlice, 'Alice likes coffee');
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'DELETE /v1/entities/%s/x/ is 400 and deletes nothing',
    async (type) => {
      for (const version of ['v1', 'v2']) {
        const res = await call(f.app, 'DELETE', `/${version}/entities/${type}/x/`, f.keys.pinnedAlice);
        expect(res.status, version).toBe(400);
        expect(res.json).toMatchObject({ error: { code: 'invalid_input' } });
      }
      expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee']);
    },
  );

  it('a known type still deletes that entity (within the pin)', async () => {
    expect((await call(f.app, 'DELETE', '/v1/entities/user/bob/', f.keys.pinnedAlice)).status).toBe(403);
    const res = await call(f.app, 'DELETE', '/v1/entities/user/alice/', f.keys.pinnedAlice);
    expect(res.status).toBe(200);
    expect(await texts(f, f.keys.pinnedAlice)).toEqual([]);
  });
});

describe('a metadata key named __proto__ is kept like any other key', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
  });
  afterEach(async () => {
    await f.cleanup();
  });

  const raw = (body: string) => body; // sent as written: JSON.stringify would not produce the key
  const metadataOf = async (id: string) =>
    ((await call(f.app, 'GET', `/memories/${id}`, f.keys.adminA)).json as { metadata: unknown }).metadata;

  it('on the native add and update routes', async () => {
    const added = await call(
      f.app,
      'POST',
      '/memories',
      f.keys.adminA,
      raw('{"messages":"a","user_id":"u","infer":false,"metadata":{"__proto__":{"x":1},"b":2}}'),
    );
    expect(added.status).toBe(200);
    const id = (added.json as Added).results[0]!.id;
    const stored = await metadataOf(id);
    expect(Object.keys(stored as object).sort()).toEqual(['__proto__', 'b']);
    expect(JSON.stringify(stored)).toBe('{"__proto__":{"x":1},"b":2}');

    const updated = await call(
      f.app,
      'PATCH',
      `/memories/${id}`,
      f.keys.adminA,
      raw('{"metadata":{"__proto__":{"x":2},"c":3}}'),
    );
    expect(updated.status).toBe(200);
    expect(JSON.stringify(await metadataOf(id))).toBe('{"__proto__":{"x":2},"b":2,"c":3}');
  });

  it('on the mem0 platform add and update routes', async () => {
    const added = await call(
      f.app,
      'POST',
      '/v3/memories/add/',
      f.keys.adminA,
      raw('{"messages":"a","user_id":"u","infer":false,"metadata":{"__proto__":"p"}}'),
    );
    const id = (added.json as Added).results[0]!.id;
    expect(JSON.stringify(await metadataOf(id))).toBe('{"__proto__":"p"}');
    await call(f.app, 'PUT', `/v1/memories/${id}/`, f.keys.adminA, raw('{"metadata":{"__proto__":"q"}}'));
    expect(JSON.stringify(await metadataOf(id))).toBe('{"__proto__":"q"}');
  });

  it('metadata must still be an object', async () => {
    for (const metadata of ['[1]', '"x"', '3']) {
      const res = await call(
        f.app,
        'POST',
        '/memories',
        f.keys.adminA,
        raw(`{"messages":"a","user_id":"u","infer":false,"metadata":${metadata}}`),
      );
      expect(res.status, metadata).toBe(400);
      expect(res.json).toMatchObject({ error: { code: 'invalid_input' } });
    }
  });
});

describe('/v1/batch/ is all or nothing', () => {
  let f: ServerFixture;
  let a: string;
  let b: string;
  let bob: string;
  const unknown = '00000000-0000-0000-0000-000000000000';
  beforeEach(async () => {
    f = await serverFixture();
    a = await addOne(f, f.keys.pinnedAlice, 'Alice likes coffee');
    b = await addOne(f, f.keys.pinnedAlice, 'Alice plays chess');
    bob = await addOne(f, f.keys.userA, 'Bob likes tea', 'bob');
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('an update batch with an unknown id changes nothing (404)', async () => {
    const res = await call(f.app, 'PUT', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [
        { memory_id: a, text: 'Alice likes espresso' },
        { memory_id: unknown, text: 'x' },
      ],
    });
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'not_found', details: { id: unknown } } });
    expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee', 'Alice plays chess']);
  });

  it('an update batch naming a memory outside the pin changes nothing (404)', async () => {
    const res = await call(f.app, 'PUT', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [
        { memory_id: a, text: 'Alice likes espresso' },
        { memory_id: bob, text: 'Bob likes nothing' },
      ],
    });
    expect(res.status).toBe(404);
    expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee', 'Alice plays chess']);
    expect(await texts(f, f.keys.userA, '?user_id=bob')).toEqual(['Bob likes tea']);
  });

  it('an update that conflicts rolls back the ones before it (409)', async () => {
    const res = await call(f.app, 'PUT', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [
        { memory_id: a, text: 'Alice likes espresso' },
        { memory_id: b, text: 'Alice likes espresso' },
      ],
    });
    expect(res.status).toBe(409);
    expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee', 'Alice plays chess']);
    const history = (await call(f.app, 'GET', `/memories/${a}/history`, f.keys.pinnedAlice))
      .json as unknown[];
    expect(history).toHaveLength(1);
  });

  it('an update batch naming one memory twice is refused (400)', async () => {
    const res = await call(f.app, 'PUT', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [
        { memory_id: a, text: 'Alice likes espresso' },
        { memory_id: a, text: 'Alice likes tea' },
      ],
    });
    expect(res.status).toBe(400);
    expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee', 'Alice plays chess']);
  });

  it('a valid update batch applies every update, each a new version', async () => {
    const res = await call(f.app, 'PUT', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [
        { memory_id: a, text: 'Alice likes espresso' },
        { memory_id: b, text: 'Alice plays go' },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ message: 'Successfully updated 2 memories' });
    expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes espresso', 'Alice plays go']);
    const found = await call(f.app, 'POST', '/search', f.keys.pinnedAlice, { query: 'espresso' });
    expect((found.json as Added).results[0]?.id).toBe(a);
    expect((await call(f.app, 'GET', `/memories/${a}`, f.keys.pinnedAlice)).json).toMatchObject({
      version: 2,
    });
  });

  it('a delete batch with an unknown id or one outside the pin deletes nothing (404)', async () => {
    for (const other of [unknown, bob]) {
      const res = await call(f.app, 'DELETE', '/v1/batch/', f.keys.pinnedAlice, {
        memories: [{ memory_id: a }, { memory_id: other }],
      });
      expect(res.status, other).toBe(404);
      expect(await texts(f, f.keys.pinnedAlice)).toEqual(['Alice likes coffee', 'Alice plays chess']);
    }
    expect(await texts(f, f.keys.userA, '?user_id=bob')).toEqual(['Bob likes tea']);
  });

  it('a valid delete batch deletes every memory', async () => {
    const res = await call(f.app, 'DELETE', '/v1/batch/', f.keys.pinnedAlice, {
      memories: [{ memory_id: a }, { memory_id: b }, { memory_id: a }],
    });
    expect(res.status).toBe(200);
    expect(await texts(f, f.keys.pinnedAlice)).toEqual([]);
  });
});
