import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { pointId, QdrantIndex, type QdrantIndexOptions } from '../../src/indexes/qdrant/qdrant-index.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import type { IndexPoint } from '../../src/spec/vector-index.js';
import { type FakeQdrant, startFakeQdrant } from '../support/fake-qdrant.js';

const COLLECTION = 'engram';
const WAIT = { wait: 'true' };

async function fakeQdrant(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const fake = await startFakeQdrant(options);
  onTestFinished(() => fake.close());
  return fake;
}

async function openIndex(fake: FakeQdrant, options: Partial<QdrantIndexOptions> = {}): Promise<QdrantIndex> {
  const index = await QdrantIndex.open({ url: fake.url, collection: COLLECTION, ...options });
  onTestFinished(() => index.close());
  return index;
}

/** A fake and an index over it, prepared for 4-wide vectors, with the set-up requests forgotten. */
async function prepared(options: { apiKey?: string } = {}) {
  const fake = await fakeQdrant(options);
  const index = await openIndex(fake, options);
  await index.prepare(4);
  fake.requests.length = 0;
  return { fake, index };
}

function point(memoryId: string, vector: number[], fields: Partial<IndexPoint> = {}): IndexPoint {
  return {
    tenant: 'acme',
    memoryId,
    version: 1,
    userId: null,
    agentId: null,
    runId: null,
    vector: new Float32Array(vector),
    ...fields,
  };
}

function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((sum, x, i) => sum + x * b[i]!, 0);
  const norm = (v: number[]) => Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
  return dot / (norm(a) * norm(b));
}

async function failure(promise: Promise<unknown>): Promise<MemoryError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!MemoryError.is(error)) throw new Error(`expected a MemoryError, got ${String(error)}`);
  return error;
}

async function closedPortUrl(): Promise<string> {
  const fake = await startFakeQdrant();
  await fake.close();
  return fake.url;
}

const ACROSS = { tenant: 'acme', scope: {}, limit: 10 };

describe('QdrantIndex', () => {
  it('prepare creates a Cosine collection and keyword payload indexes, then only looks', async () => {
    const fake = await fakeQdrant();
    const index = await openIndex(fake);
    expect(index.name).toBe('qdrant');
    expect(index.location).toBe(`qdrant ${fake.url} collection engram`);

    await index.prepare(4);

    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /collections/engram',
      'PUT /collections/engram',
      ...Array.from({ length: 5 }, () => 'PUT /collections/engram/index'),
    ]);
    expect(fake.requests[1]?.body).toEqual({ vectors: { size: 4, distance: 'Cosine' } });
    expect(fake.requests.slice(2).map((r) => [r.query, r.body])).toEqual([
      [WAIT, { field_name: 'tenant', field_schema: { type: 'keyword', is_tenant: true } }],
      [WAIT, { field_name: 'user_id', field_schema: 'keyword' }],
      [WAIT, { field_name: 'agent_id', field_schema: 'keyword' }],
      [WAIT, { field_name: 'run_id', field_schema: 'keyword' }],
      [WAIT, { field_name: 'memory_id', field_schema: 'keyword' }],
    ]);
    const created = fake.collection(COLLECTION);
    expect(created?.size).toBe(4);
    expect(created?.distance).toBe('Cosine');
    expect(Object.keys(created?.payloadSchema ?? {}).sort()).toEqual([
      'agent_id',
      'memory_id',
      'run_id',
      'tenant',
      'user_id',
    ]);

    fake.requests.length = 0;
    await index.prepare(4);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /collections/engram']);
  });

  it('prepare adds the payload indexes a collection lacks (a crash right after creating it)', async () => {
    const fake = await fakeQdrant();
    await fetch(`${fake.url}/collections/engram`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: { size: 4, distance: 'Cosine' } }),
    });
    fake.requests.length = 0;
    const index = await openIndex(fake);

    await index.prepare(4);

    expect(fake.requests.map((r) => (r.body as { field_name?: string } | undefined)?.field_name)).toEqual([
      undefined,
      'tenant',
      'user_id',
      'agent_id',
      'run_id',
      'memory_id',
    ]);
  });

  it('two processes preparing at once: the one whose create gets 409 takes the existing collection', async () => {
    const fake = await fakeQdrant();
    const [first, second] = [await openIndex(fake), await openIndex(fake)];
    const release = fake.hold();
    const both = Promise.all([first.prepare(4), second.prepare(4)]);
    // Both look (404) before either creates.
    await vi.waitFor(() => expect(fake.requests).toHaveLength(2));
    release();

    await both;

    const creates = fake.requests.filter((r) => r.method === 'PUT' && r.path === '/collections/engram');
    expect(creates).toHaveLength(2);
    expect(fake.collection(COLLECTION)?.size).toBe(4);
    expect(await first.count()).toBe(0);
  });

  it('prepare refuses a collection of another width with dimension_mismatch, and another distance', async () => {
    const { fake } = await prepared();
    const other = await openIndex(fake);

    const error = await failure(other.prepare(8));
    expect(error.code).toBe('dimension_mismatch');
    expect(error.message).toContain('4 dimensions');
    expect(error.message).toContain('engram reindex --index qdrant');
    expect(error.details).toEqual({ expected: 8, found: 4 });

    await fetch(`${fake.url}/collections/dotty`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vectors: { size: 4, distance: 'Dot' } }),
    });
    const dotty = await openIndex(fake, { collection: 'dotty' });
    const distance = await failure(dotty.prepare(4));
    expect(distance.code).toBe('index_error');
    expect(distance.message).toContain('Dot distance');
  });

  it('upsert sends one wait=true batch; query sends the tenant filter and returns nearest first', async () => {
    const { fake, index } = await prepared();
    const near = [1, 0.5, 0, 0];
    const far = [0, 0.25, 1, 0];
    const opposite = [-1, 0, 0, 0];

    await index.upsert([
      point('m-near', near, { userId: 'alice', version: 3 }),
      point('m-far', far, { userId: 'alice', agentId: 'helper', runId: 'r1' }),
      point('m-opposite', opposite),
    ]);

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/collections/engram/points',
      query: WAIT,
    });
    const payload = (
      memoryId: string,
      version: number,
      userId: string | null,
      agentId = null,
      runId = null,
    ) => ({
      tenant: 'acme',
      memory_id: memoryId,
      version,
      user_id: userId,
      agent_id: agentId,
      run_id: runId,
    });
    expect(fake.requests[0]?.body).toEqual({
      points: [
        { id: pointId('m-near'), vector: near, payload: payload('m-near', 3, 'alice') },
        {
          id: pointId('m-far'),
          vector: far,
          payload: { ...payload('m-far', 1, 'alice'), agent_id: 'helper', run_id: 'r1' },
        },
        { id: pointId('m-opposite'), vector: opposite, payload: payload('m-opposite', 1, null) },
      ],
    });

    fake.requests.length = 0;
    const query = [1, 0, 0, 0];
    const hits = await index.query({ ...ACROSS, vector: new Float32Array(query), limit: 2 });

    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/collections/engram/points/query',
      query: {},
    });
    expect(fake.requests[0]?.body).toEqual({
      query: [1, 0, 0, 0],
      filter: { must: [{ key: 'tenant', match: { value: 'acme' } }] },
      limit: 2,
      with_payload: ['memory_id', 'version'],
    });
    expect(hits.map((h) => [h.memoryId, h.version])).toEqual([
      ['m-near', 3],
      ['m-far', 1],
    ]);
    expect(hits[0]?.score).toBeCloseTo(cosine(query, near), 6);
    expect(hits[1]?.score).toBeCloseTo(cosine(query, far), 6);

    const all = await index.query({ ...ACROSS, vector: new Float32Array(query) });
    expect(all.map((h) => h.memoryId)).toEqual(['m-near', 'm-far', 'm-opposite']);
    expect(all[2]?.score).toBeCloseTo(-1, 6);
  });

  it("a tenant's query never returns another tenant's points, even with identical vectors", async () => {
    const { index } = await prepared();
    const same = [0.5, 0.5, 0.5, 0.5];
    await index.upsert([
      point('a-1', same, { tenant: 'acme', userId: 'alice' }),
      point('b-1', same, { tenant: 'globex', userId: 'alice' }),
      point('b-2', [0.5, 0.5, 0.5, 0.25], { tenant: 'globex', userId: 'alice' }),
    ]);

    const acme = await index.query({
      tenant: 'acme',
      scope: { userId: 'alice' },
      vector: new Float32Array(same),
      limit: 10,
    });
    const globex = await index.query({
      tenant: 'globex',
      scope: {},
      vector: new Float32Array(same),
      limit: 10,
    });
    const nobody = await index.query({
      tenant: 'initech',
      scope: {},
      vector: new Float32Array(same),
      limit: 10,
    });

    expect(acme.map((h) => h.memoryId)).toEqual(['a-1']);
    expect(globex.map((h) => h.memoryId).sort()).toEqual(['b-1', 'b-2']);
    expect(nobody).toEqual([]);
  });

  it('scope filters pin user, agent and run ids, each sent as a must condition', async () => {
    const { fake, index } = await prepared();
    const v = [1, 1, 0, 0];
    await index.upsert([
      point('alice-helper-r1', v, { userId: 'alice', agentId: 'helper', runId: 'r1' }),
      point('alice-helper-r2', v, { userId: 'alice', agentId: 'helper', runId: 'r2' }),
      point('alice-plain', v, { userId: 'alice' }),
      point('bob-helper', v, { userId: 'bob', agentId: 'helper' }),
      point('agent-only', v, { agentId: 'helper' }),
    ]);
    const ids = async (scope: { userId?: string; agentId?: string; runId?: string }) =>
      (await index.query({ tenant: 'acme', scope, vector: new Float32Array(v), limit: 10 }))
        .map((h) => h.memoryId)
        .sort();

    expect(await ids({ userId: 'alice' })).toEqual(['alice-helper-r1', 'alice-helper-r2', 'alice-plain']);
    expect(await ids({ agentId: 'helper' })).toEqual([
      'agent-only',
      'alice-helper-r1',
      'alice-helper-r2',
      'bob-helper',
    ]);
    expect(await ids({ userId: 'alice', agentId: 'helper', runId: 'r2' })).toEqual(['alice-helper-r2']);
    expect(await ids({ runId: 'r3' })).toEqual([]);

    const sent = fake.requests.at(-2)?.body as { filter: unknown };
    expect(sent.filter).toEqual({
      must: [
        { key: 'tenant', match: { value: 'acme' } },
        { key: 'user_id', match: { value: 'alice' } },
        { key: 'agent_id', match: { value: 'helper' } },
        { key: 'run_id', match: { value: 'r2' } },
      ],
    });
  });

  it('a new version of a memory replaces its point (the count stays), newest of a batch wins', async () => {
    const { fake, index } = await prepared();
    await index.upsert([point('m1', [1, 0, 0, 0]), point('m2', [0, 1, 0, 0])]);
    await index.upsert([point('m1', [0, 0, 1, 0], { version: 2 })]);

    expect(await index.count()).toBe(2);
    const [hit] = await index.query({ ...ACROSS, vector: new Float32Array([0, 0, 1, 0]), limit: 1 });
    expect(hit).toEqual({ memoryId: 'm1', version: 2, score: 1 });

    fake.requests.length = 0;
    await index.upsert([
      point('m2', [0, 0, 0, 1], { version: 5 }),
      point('m2', [0, 1, 1, 0], { version: 4 }),
    ]);
    const sent = (fake.requests[0]!.body as { points: { payload: { version: number } }[] }).points;
    expect(sent.map((p) => p.payload.version)).toEqual([5]);
    expect(await index.count()).toBe(2);
    expect(fake.points(COLLECTION).find((p) => p.payload.memory_id === 'm2')?.vector).toEqual([0, 0, 0, 1]);
  });

  it('remove deletes by memory_id (wait=true); unknown ids are fine; an empty list sends nothing', async () => {
    const { fake, index } = await prepared();
    await index.upsert([point('m1', [1, 0, 0, 0]), point('m2', [0, 1, 0, 0]), point('m3', [0, 0, 1, 0])]);
    fake.requests.length = 0;

    await index.remove(['m1', 'm3', 'never-indexed']);

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/collections/engram/points/delete',
      query: WAIT,
    });
    expect(fake.requests[0]?.body).toEqual({
      filter: { must: [{ key: 'memory_id', match: { any: ['m1', 'm3', 'never-indexed'] } }] },
    });
    expect(await index.count()).toBe(1);
    expect(
      (await index.query({ ...ACROSS, vector: new Float32Array([1, 1, 1, 0]) })).map((h) => h.memoryId),
    ).toEqual(['m2']);

    fake.requests.length = 0;
    await index.remove([]);
    await index.upsert([]);
    expect(fake.requests).toEqual([]);
  });

  it('memory ids that are not UUIDs round-trip through deterministic UUID point ids', async () => {
    const { fake, index } = await prepared();
    const uuid = '0b5e8e2c-3f0e-4c1a-9a57-2d1f0c6b7a10';
    const odd = ['mem_01HZX3', 'ünïcode id', '42', 'UPPER-lower'];
    await index.upsert([point(uuid, [1, 0, 0, 0]), ...odd.map((id, i) => point(id, [0, 1, 0, i]))]);

    const ids = fake.points(COLLECTION).map((p) => String(p.id));
    expect(ids).toContain(uuid);
    for (const id of odd) expect(ids).toContain(pointId(id));
    expect(pointId('mem_01HZX3')).toBe(pointId('mem_01HZX3'));
    expect(pointId('mem_01HZX3')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(pointId(uuid.toUpperCase())).toBe(uuid);

    const hits = await index.query({ ...ACROSS, vector: new Float32Array([0, 1, 0, 0]), limit: 10 });
    expect(hits.map((h) => h.memoryId).sort()).toEqual([...odd, uuid].sort());
    await index.remove(odd);
    expect(await index.count()).toBe(1);
  });

  it('sends the apiKey as the api-key header; a wrong key is an index_error about the key, never showing it', async () => {
    const { fake, index } = await prepared({ apiKey: 'right-key' });
    await index.count();
    expect(fake.requests[0]?.headers['api-key']).toBe('right-key');
    expect(index.location).not.toContain('right-key');

    const wrong = await openIndex(fake, { apiKey: 'wrong-key' });
    const error = await failure(wrong.count());
    expect(error.code).toBe('index_error');
    expect(error.statusCode).toBe(401);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toContain('refused the apiKey');
    expect(error.message).not.toContain('wrong-key');
    expect(error.responseBody).toBe('Invalid API key or JWT');

    const none = await openIndex(fake);
    expect((await failure(none.prepare(4))).message).toContain('Must provide an API key');
  });

  it('a closed port is index_unreachable, retryable, naming the URL and how to fix it', async () => {
    const url = await closedPortUrl();
    const index = await QdrantIndex.open({ url, collection: COLLECTION });

    const error = await failure(index.prepare(4));

    expect(error.code).toBe('index_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain(url);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('Start Qdrant');
    expect(error.cause).toBeDefined();
  });

  it('an outage and a recovery: refused while down, the same data once it is back', async () => {
    const { fake, index } = await prepared();
    await index.upsert([point('m1', [1, 0, 0, 0])]);

    await fake.stop();
    expect((await failure(index.query({ ...ACROSS, vector: new Float32Array([1, 0, 0, 0]) }))).code).toBe(
      'index_unreachable',
    );
    await fake.restart();

    expect(await index.count()).toBe(1);
  });

  it('no answer within timeoutMs is index_unreachable (retryable)', async () => {
    const fake = await fakeQdrant();
    const index = await openIndex(fake, { timeoutMs: 150 });
    fake.hold();

    const error = await failure(index.count());

    expect(error.code).toBe('index_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toContain('within 150 ms');
  });

  it('HTTP failures keep status and body; 408/429/5xx are retryable, other 4xx not', async () => {
    const { fake, index } = await prepared();
    const body = { status: { error: 'Service internal error: disk full' }, time: 0 };
    fake.failNext({ status: 503, body });
    const unavailable = await failure(index.count());
    expect(unavailable).toMatchObject({ code: 'index_error', statusCode: 503, isRetryable: true });
    expect(unavailable.message).toContain('disk full');
    expect(unavailable.responseBody).toBe(JSON.stringify(body));

    fake.failNext({ status: 429 });
    expect(await failure(index.count())).toMatchObject({ statusCode: 429, isRetryable: true });

    fake.failNext({ status: 400, body: { status: { error: 'Bad request: nope' }, time: 0 } });
    expect(await failure(index.count())).toMatchObject({
      code: 'index_error',
      statusCode: 400,
      isRetryable: false,
    });
  });

  it('a vector of another width on upsert is dimension_mismatch (Qdrant answers 400)', async () => {
    const { index } = await prepared();
    const error = await failure(index.upsert([point('m1', [1, 0, 0])]));
    expect(error.code).toBe('dimension_mismatch');
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('expected dim: 4, got 3');
    expect(error.message).toContain('engram reindex --index qdrant');
  });

  it('a missing collection is an index_error that says to reindex', async () => {
    const fake = await fakeQdrant();
    const index = await openIndex(fake);
    const error = await failure(index.query({ ...ACROSS, vector: new Float32Array([1, 0, 0, 0]) }));
    expect(error).toMatchObject({ code: 'index_error', statusCode: 404, isRetryable: false });
    expect(error.message).toContain('has no collection engram');
    expect(error.message).toContain('engram reindex --index qdrant');
  });

  it('reset drops the collection and creates it empty, at the new width', async () => {
    const { fake, index } = await prepared();
    await index.upsert([point('m1', [1, 0, 0, 0]), point('m2', [0, 1, 0, 0])]);
    fake.requests.length = 0;

    await index.reset(3);

    expect(fake.requests.slice(0, 2).map((r) => [r.method, r.path, r.body])).toEqual([
      ['DELETE', '/collections/engram', undefined],
      ['PUT', '/collections/engram', { vectors: { size: 3, distance: 'Cosine' } }],
    ]);
    expect(await index.count()).toBe(0);
    expect(fake.collection(COLLECTION)?.size).toBe(3);
    expect(Object.keys(fake.collection(COLLECTION)?.payloadSchema ?? {})).toHaveLength(5);
    await index.prepare(3);

    const fresh = await openIndex(await fakeQdrant());
    await fresh.reset(4);
    expect(await fresh.count()).toBe(0);
  });

  it('close is idempotent and later calls are refused', async () => {
    const { index } = await prepared();
    await index.close();
    await index.close();
    expect((await failure(index.count())).code).toBe('closed');
    expect((await failure(index.upsert([]))).code).toBe('closed');
  });

  it('options: bad ones are invalid_config; a missing client package says how to install it', async () => {
    expect((await failure(QdrantIndex.open({ url: 'ftp://x', collection: 'c' }))).code).toBe(
      'invalid_config',
    );
    expect((await failure(QdrantIndex.open({ url: 'http://x', collection: 'a/b' }))).message).toContain(
      'collection',
    );
    const missing = await failure(
      QdrantIndex.open(
        { url: 'http://localhost:6333', collection: 'c' },
        {
          importClient: () =>
            Promise.reject(Object.assign(new Error('Cannot find package'), { code: 'ERR_MODULE_NOT_FOUND' })),
        },
      ),
    );
    expect(missing.code).toBe('invalid_config');
    expect(missing.message).toContain('npm install @qdrant/js-client-rest');

    const defaults = await QdrantIndex.open({ url: 'localhost', collection: 'c' });
    expect(defaults.location).toBe('qdrant http://localhost:6333 collection c');
    const proxied = await QdrantIndex.open({ url: 'https://db.example.com:443/qdrant/', collection: 'c' });
    expect(proxied.location).toBe('qdrant https://db.example.com:443/qdrant collection c');
  });
});
