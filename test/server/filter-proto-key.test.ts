import { afterEach, describe, expect, it } from 'vitest';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

/**
 * A filter key named `__proto__` must reach the engine like any other key (and be answered for),
 * never be dropped on the way: dropping it widens the filter to everything in the scope.
 */
describe('a __proto__ key in a filter', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('is not dropped by the native or the mem0 platform routes', async () => {
    f = await serverFixture();
    await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: 'likes green tea',
      user_id: 'u',
      infer: false,
    });
    const raw = '{"__proto__": {"eq": "x"}}';
    const native = await call(
      f.app,
      'POST',
      '/search',
      f.keys.adminA,
      `{"query": "tea", "user_id": "u", "filters": ${raw}}`,
    );
    const platform = await call(
      f.app,
      'POST',
      '/v3/memories/search/',
      f.keys.adminA,
      `{"query": "tea", "filters": {"AND": [{"user_id": "u"}, ${raw}]}}`,
    );
    for (const res of [native, platform]) {
      // Either refused by name or applied as a metadata condition that matches nothing: never ignored.
      if (res.status === 200) {
        const body = res.json as { results?: unknown[] } | unknown[];
        const results = Array.isArray(body) ? body : (body.results ?? []);
        expect(results).toEqual([]);
      } else {
        expect(res.status).toBe(400);
        expect(JSON.stringify(res.json)).toContain('__proto__');
      }
    }
  });
});
