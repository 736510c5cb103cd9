import { afterEach, describe, expect, it } from 'vitest';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

describe('input limits over REST', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  async function nothingWritten(): Promise<void> {
    const list = await call(f.app, 'GET', '/memories?user_id=alice', f.keys.adminA);
    expect(list.json).toMatchObject({ results: [], total: 0 });
    expect(await f.store.recentMessages({ tenant: 'A', userId: 'alice' }, 10)).toEqual([]);
  }

  it('400 invalid_filter naming the limit for a huge in list or deep nesting, not a 500', async () => {
    f = await serverFixture();
    // 20,000 nested ORs: JSON.stringify would overflow the stack, so the body is written out.
    const deep = `${'{"OR":['.repeat(20_000)}{"topic":"a"}${']}'.repeat(20_000)}`;
    const list = JSON.stringify(Array.from({ length: 40_000 }, (_, i) => i));
    const cases: [string, string][] = [
      [`{"topic":{"in":${list}}}`, 'maxFilterList'],
      [deep, 'maxFilterDepth'],
    ];
    for (const [filters, limit] of cases) {
      const body = `{"query":"anything","user_id":"alice","filters":${filters}}`;
      const res = await call(f.app, 'POST', '/search', f.keys.adminA, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        error: {
          code: 'invalid_filter',
          details: { limit },
          message: expect.stringContaining(`limits.${limit}`),
        },
      });
    }
    await nothingWritten();
  });

  it('400 invalid_input for metadata nested past limits.maxMetadataDepth, and the message is not logged', async () => {
    f = await serverFixture();
    let metadata: unknown = { leaf: true };
    for (let i = 0; i < 1_100; i++) metadata = { next: metadata };
    const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: 'I like tea',
      user_id: 'alice',
      infer: false,
      metadata,
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      error: { code: 'invalid_input', details: { field: 'metadata', limit: 'maxMetadataDepth' } },
    });
    await nothingWritten();
  });
});
