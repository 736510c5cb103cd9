import { afterEach, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/server/openapi-document.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

describe('error shapes, limits and operations endpoints', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('400 with field-level messages for an invalid body, and for invalid JSON', async () => {
    f = await serverFixture();
    const res = await call(f.app, 'POST', '/search', f.keys.adminA, { query: '', limit: 0 });
    expect(res.status).toBe(400);
    const body = res.json as {
      error: { code: string; details: { fields: { path: string; message: string }[] } };
    };
    expect(body.error.code).toBe('invalid_input');
    expect(body.error.details.fields.map((x) => x.path).sort()).toEqual(['limit', 'query']);
    const bad = await call(f.app, 'POST', '/memories', f.keys.adminA, '{not json');
    expect(bad.json).toMatchObject({ error: { code: 'invalid_json' } });
  });

  it('maps engine errors by category: scope_required → 400, not_found → 404', async () => {
    f = await serverFixture();
    expect((await call(f.app, 'GET', '/memories', f.keys.adminA)).json).toMatchObject({
      error: { code: 'scope_required' },
    });
    const missing = await call(f.app, 'GET', '/memories/00000000-0000-0000-0000-000000000000', f.keys.adminA);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      error: { code: 'not_found', details: { id: '00000000-0000-0000-0000-000000000000' } },
    });
  });

  it('JSON 404 for an unknown route', async () => {
    f = await serverFixture();
    const res = await call(f.app, 'GET', '/nope', f.keys.adminA);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({
      error: { code: 'route_not_found', details: { method: 'GET', path: '/nope' } },
    });
  });

  it('413 for a body over the limit', async () => {
    f = await serverFixture({ maxBodyBytes: 1000 });
    const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: 'x'.repeat(5000),
      user_id: 'u',
      infer: false,
    });
    expect(res.status).toBe(413);
    expect(res.json).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('429 with Retry-After when a key exceeds its rate, per key', async () => {
    let now = 1_000_000;
    f = await serverFixture({ rateLimit: { perSecond: 1, burst: 2 }, nowMs: () => now });
    const get = (key: string) => call(f.app, 'GET', '/memories?user_id=u', key);
    expect((await get(f.keys.adminA)).status).toBe(200);
    expect((await get(f.keys.adminA)).status).toBe(200);
    const limited = await get(f.keys.adminA);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(limited.json).toMatchObject({ error: { code: 'rate_limited' } });
    expect((await get(f.keys.adminB)).status).toBe(200);
    now += 1000;
    expect((await get(f.keys.adminA)).status).toBe(200);
  });

  it('/health, /ready per dependency, /metrics in Prometheus text', async () => {
    f = await serverFixture({
      checks: {
        embedder: async () => ({ ok: true, detail: 'fake' }),
        llm: async () => ({ ok: false, detail: 'down' }),
      },
    });
    expect((await call(f.app, 'GET', '/health', null)).json).toEqual({ status: 'ok' });
    const ready = await call(f.app, 'GET', '/ready', null);
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({
      status: 'not_ready',
      checks: { database: { ok: true }, embedder: { ok: true }, llm: { ok: false, detail: 'down' } },
    });
    await call(f.app, 'GET', '/memories/x', f.keys.adminA);
    const metrics = await call(f.app, 'GET', '/metrics', null);
    const text = metrics.json as string;
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(
      /engram_http_request_duration_seconds_bucket\{method="GET",route="\/memories\/:id",status="404",le="0.005"\} \d/,
    );
    expect(text).toContain('engram_errors_total{code="not_found"} 1');
    expect(text).toContain('engram_queue_depth 0');
  });

  it('serves a valid OpenAPI 3.1 document and a docs page', async () => {
    f = await serverFixture();
    const res = await call(f.app, 'GET', '/openapi.json', null);
    const doc = res.json as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/memories',
      '/memories/{id}',
      '/memories/{id}/history',
      '/search',
      '/reset',
      '/jobs/{id}',
      '/keys',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    const addSchema = doc.paths['/memories']?.post?.requestBody?.content['application/json']?.schema;
    expect(Object.keys(addSchema?.properties ?? {})).toEqual(
      expect.arrayContaining(['messages', 'user_id', 'infer', 'async']),
    );
    expect(JSON.parse(JSON.stringify(openApiDocument('x')))).toEqual(
      expect.objectContaining({ openapi: '3.1.0' }),
    );
    // every $ref resolves inside the document
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of refs) {
      const pointer = ref.slice(8, -1).replace(/^#\//, '').split('/');
      let node: unknown = doc;
      for (const part of pointer) node = (node as Record<string, unknown>)[part];
      expect(node, ref).toBeDefined();
    }
    const docs = await f.app.request('/docs');
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toContain('/memories/{id}/history');
  });

  it('404 for an unknown job id', async () => {
    f = await serverFixture();
    expect((await call(f.app, 'GET', '/jobs/nope', f.keys.adminA)).json).toMatchObject({
      error: { code: 'not_found' },
    });
  });
});
