import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectMcpInMemory } from '../support/mcp-in-memory.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

describe('POST /erase and the erase_scope tool', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
    for (const [user, text] of [
      ['alice', 'Alice likes tea'],
      ['alice', 'Alice has a dog'],
      ['bob', 'Bob likes coffee'],
    ] as const) {
      const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
        messages: [{ role: 'user', content: text }],
        user_id: user,
        infer: false,
      });
      expect(res.status).toBe(200);
    }
  });
  afterEach(() => f.cleanup());

  it('needs an admin key and "confirm": true, then erases the scope only', async () => {
    expect(
      (await call(f.app, 'POST', '/erase', f.keys.userA, { user_id: 'alice', confirm: true })).json,
    ).toMatchObject({
      error: { code: 'admin_required' },
    });
    const unconfirmed = await call(f.app, 'POST', '/erase', f.keys.adminA, { user_id: 'alice' });
    expect(unconfirmed.status).toBe(400);
    expect(JSON.stringify(unconfirmed.json)).toContain('confirm');
    const noScope = await call(f.app, 'POST', '/erase', f.keys.adminA, { confirm: true });
    expect(noScope.status).toBe(400);
    expect(noScope.json).toMatchObject({ error: { code: 'scope_required' } });
    // Another tenant's admin erases nothing of tenant A.
    expect(
      (await call(f.app, 'POST', '/erase', f.keys.adminB, { user_id: 'alice', confirm: true })).json,
    ).toMatchObject({
      memories: 0,
    });

    const erased = await call(f.app, 'POST', '/erase', f.keys.adminA, { user_id: 'alice', confirm: true });
    expect(erased.status).toBe(200);
    expect(erased.json).toMatchObject({ memories: 2, messages: 2 });
    expect((await call(f.app, 'GET', '/memories?user_id=alice', f.keys.adminA)).json).toMatchObject({
      total: 0,
    });
    expect((await call(f.app, 'GET', '/memories?user_id=bob', f.keys.adminA)).json).toMatchObject({
      total: 1,
    });
  });

  it('is an MCP tool with the same rules', async () => {
    const admin = { tenant: 'A', keyId: null, admin: true, pin: { userId: null, agentId: null } };
    const client = await connectMcpInMemory(f.memory, admin);
    try {
      const refused = await client.callTool({ name: 'erase_scope', arguments: { user_id: 'alice' } });
      expect(refused.isError).toBe(true);
      const done = await client.callTool({
        name: 'erase_scope',
        arguments: { user_id: 'alice', confirm: true },
      });
      expect(JSON.stringify(done)).toContain('"memories":2');
    } finally {
      await client.close();
    }
    const plain = await connectMcpInMemory(f.memory, { ...admin, admin: false });
    try {
      const denied = await plain.callTool({
        name: 'erase_scope',
        arguments: { user_id: 'bob', confirm: true },
      });
      expect(denied.isError).toBe(true);
      expect(JSON.stringify(denied)).toContain('admin_required');
    } finally {
      await plain.close();
    }
  });
});
