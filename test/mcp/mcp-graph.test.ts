import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RelationDetail } from '../../src/memory/graph/graph-items.js';
import type { Neighborhood } from '../../src/memory/graph/memory-graph.js';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';
import { connectMcpInMemory, unpinned } from '../support/mcp-in-memory.js';
import { entity, JAN_10, MAR_05, relation, seedSisterGraph, writeGraph } from '../support/seed-graph.js';

function json<T>(result: unknown): T {
  const first = (result as CallToolResult).content[0];
  return JSON.parse(first?.type === 'text' ? first.text : 'null') as T;
}

describe('the graph through the MCP tools', () => {
  let f: ServerFixture;
  let client: Client;
  let pinned: Client;
  beforeEach(async () => {
    f = await serverFixture();
    await seedSisterGraph(f.store, 'A', { userId: 'alice' });
    const bob = entity('Bob', 'person');
    const tea = entity('Tea', 'thing');
    await writeGraph(f.store, 'A', { userId: 'bob' }, [bob, tea], [relation(bob, 'likes', tea)]);
    client = await connectMcpInMemory(f.memory, unpinned('A'));
    pinned = await connectMcpInMemory(f.memory, {
      tenant: 'A',
      keyId: null,
      admin: false,
      pin: { userId: 'alice', agentId: null },
    });
  });
  afterEach(async () => {
    await client.close();
    await pinned.close();
    await f.cleanup();
  });

  it('graph_relations answers now and as_of, for the scope or one entity', async () => {
    const relations = async (args: Record<string, string>) =>
      json<{ results: RelationDetail[] }>(
        await client.callTool({ name: 'graph_relations', arguments: { user_id: 'alice', ...args } }),
      ).results;
    expect((await relations({})).map((r) => `${r.source} ${r.relationship} ${r.destination}`).sort()).toEqual(
      ['Amy lives_in Chicago', 'Amy sister_of Sarah', 'Sarah works_at Acme'],
    );
    const feb = await relations({ entity: 'Amy', as_of: '2024-02-01T00:00:00Z' });
    expect(feb.find((r) => r.relationship === 'lives_in')).toMatchObject({
      destination: 'Boston',
      valid_from: JAN_10,
      valid_to: MAR_05,
    });
    expect(feb.map((r) => r.destination)).not.toContain('Chicago');
  });

  it('graph_neighbors walks one or two hops', async () => {
    const near = json<Neighborhood>(
      await client.callTool({ name: 'graph_neighbors', arguments: { user_id: 'alice', entity: 'Sarah' } }),
    );
    expect(near.entities.map((e) => e.name).sort()).toEqual(['Acme', 'Amy']);
    const far = json<Neighborhood>(
      await client.callTool({
        name: 'graph_neighbors',
        arguments: { user_id: 'alice', entity: 'Sarah', depth: 2 },
      }),
    );
    expect(far.entities.find((e) => e.name === 'Chicago')).toMatchObject({ hops: 2 });
  });

  it('answers isError with a stable code: unknown entity, another user, no scope', async () => {
    const unknown = (await client.callTool({
      name: 'graph_neighbors',
      arguments: { user_id: 'alice', entity: 'Zoe' },
    })) as CallToolResult;
    expect(unknown.isError).toBe(true);
    expect(unknown.structuredContent).toMatchObject({
      error: { code: 'not_found', details: { entity: 'Zoe' } },
    });

    for (const [name, args] of [
      ['graph_relations', { user_id: 'bob' }],
      ['graph_neighbors', { user_id: 'bob', entity: 'Bob' }],
    ] as const) {
      const refused = (await pinned.callTool({ name, arguments: args })) as CallToolResult;
      expect(refused.isError, name).toBe(true);
      expect(refused.structuredContent).toMatchObject({
        error: { code: 'scope_forbidden', details: { field: 'user_id', pinned: 'alice' } },
      });
    }
    const own = json<{ results: RelationDetail[] }>(
      await pinned.callTool({ name: 'graph_relations', arguments: {} }),
    );
    expect(own.results.map((r) => r.destination)).toContain('Chicago');

    const noScope = (await client.callTool({ name: 'graph_relations', arguments: {} })) as CallToolResult;
    expect(noScope.structuredContent).toMatchObject({ error: { code: 'scope_required' } });
  });

  it('refuses a depth other than 1 or 2 and unknown arguments by name (invalid params)', async () => {
    for (const [args, named] of [
      [{ user_id: 'alice', entity: 'Amy', depth: 3 }, 'depth'],
      [{ user_id: 'alice', entity: 'Amy', dept: 2 }, '"dept"'],
    ] as const) {
      const result = (await client.callTool({ name: 'graph_neighbors', arguments: args })) as CallToolResult;
      expect(result.isError).toBe(true);
      const text = result.content[0]?.type === 'text' ? result.content[0].text : '';
      expect(text).toContain('-32602');
      expect(text).toContain(named);
    }
  });
});
