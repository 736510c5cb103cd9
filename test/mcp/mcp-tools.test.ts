import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import { streamableHttpHandler } from '../../src/mcp/streamable-http-handler.js';
import { ScopedMemory } from '../../src/memory/access/scoped-memory.js';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';

const TOOLS = [
  'add_memory',
  'search_memory',
  'list_memories',
  'get_memory',
  'update_memory',
  'delete_memory',
  'delete_all_memories',
  'erase_scope',
  'memory_history',
  'graph_relations',
  'graph_neighbors',
];

type Connect = (f: ServerFixture) => Promise<{ client: Client; close(): Promise<void> }>;

const inMemory: Connect = async (f) => {
  const server = createMcpServer(
    new ScopedMemory(f.memory.forTenant('A'), {
      tenant: 'A',
      keyId: null,
      admin: false,
      pin: { userId: null, agentId: null },
    }),
  );
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return { client, close: () => client.close() };
};

let running: RunningServer | undefined;
const streamableHttp: Connect = async (f) => {
  running = await serve({ memory: f.memory, host: '127.0.0.1', port: 0, mcp: streamableHttpHandler() });
  const transport = new StreamableHTTPClientTransport(new URL(`${running.url}/mcp`), {
    requestInit: { headers: { Authorization: `Bearer ${f.keys.userA}` } },
  });
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(transport);
  return { client, close: () => client.close() };
};

function json(result: unknown): Record<string, unknown> {
  const r = result as CallToolResult;
  const first = r.content[0];
  return JSON.parse(first?.type === 'text' ? first.text : 'null') as Record<string, unknown>;
}

describe.each([
  ['in-memory transport', inMemory],
  ['streamable HTTP at /mcp', streamableHttp],
])('MCP tools over %s', (_name, connect) => {
  let f: ServerFixture;
  let client: Client;
  let close: () => Promise<void>;
  beforeEach(async () => {
    f = await serverFixture();
    ({ client, close } = await connect(f));
  });
  afterEach(async () => {
    await close();
    if (running) {
      await running.close();
      running = undefined;
    }
    await f.cleanup();
  });

  it('lists every tool', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
  });

  it('adds, searches, lists, gets, updates, shows history and deletes', async () => {
    const added = json(
      await client.callTool({
        name: 'add_memory',
        arguments: { messages: 'I like green tea', user_id: 'u1', infer: false },
      }),
    );
    const id = (added.results as { id: string }[])[0]!.id;
    const found = json(
      await client.callTool({ name: 'search_memory', arguments: { query: 'green tea', user_id: 'u1' } }),
    );
    expect((found.results as { id: string }[])[0]?.id).toBe(id);
    const listed = json(await client.callTool({ name: 'list_memories', arguments: { user_id: 'u1' } }));
    expect(listed.total).toBe(1);
    expect(json(await client.callTool({ name: 'get_memory', arguments: { memory_id: id } }))).toMatchObject({
      memory: 'I like green tea',
    });
    await client.callTool({ name: 'update_memory', arguments: { memory_id: id, text: 'I love green tea' } });
    const history = await client.callTool({ name: 'memory_history', arguments: { memory_id: id } });
    expect((json(history) as unknown as { event: string }[]).map((h) => h.event)).toEqual(['UPDATE', 'ADD']);
    await client.callTool({ name: 'delete_memory', arguments: { memory_id: id } });
    const gone = (await client.callTool({
      name: 'get_memory',
      arguments: { memory_id: id },
    })) as CallToolResult;
    expect(gone.isError).toBe(true);
    expect(gone.content[0]).toMatchObject({ type: 'text', text: expect.stringMatching(/^not_found: /) });
  });

  it('keeps a metadata key named __proto__ on add and update', async () => {
    const added = json(
      await client.callTool({
        name: 'add_memory',
        arguments: {
          messages: 'I like oolong',
          user_id: 'u1',
          infer: false,
          metadata: JSON.parse('{"__proto__":{"x":1},"b":2}') as Record<string, unknown>,
        },
      }),
    );
    const id = (added.results as { id: string }[])[0]!.id;
    const metadataOf = async () =>
      JSON.stringify(
        json(await client.callTool({ name: 'get_memory', arguments: { memory_id: id } })).metadata,
      );
    expect(await metadataOf()).toBe('{"__proto__":{"x":1},"b":2}');
    await client.callTool({
      name: 'update_memory',
      arguments: { memory_id: id, metadata: JSON.parse('{"__proto__":"p"}') as Record<string, unknown> },
    });
    expect(await metadataOf()).toBe('{"__proto__":"p","b":2}');
  });

  it('returns isError with the code for failures (missing scope), and deletes all of a scope', async () => {
    const noScope = (await client.callTool({ name: 'list_memories', arguments: {} })) as CallToolResult;
    expect(noScope.isError).toBe(true);
    expect(noScope.content[0]).toMatchObject({ text: expect.stringMatching(/^scope_required: .*user_id/) });
    await client.callTool({
      name: 'add_memory',
      arguments: { messages: 'one', user_id: 'u2', infer: false },
    });
    const wiped = json(await client.callTool({ name: 'delete_all_memories', arguments: { user_id: 'u2' } }));
    expect(wiped.deleted).toBe(1);
  });

  it('cannot reach another tenant’s memory', async () => {
    const b = await f.memory.forTenant('B').add('tenant B only', { userId: 'u1', infer: false });
    const res = (await client.callTool({
      name: 'get_memory',
      arguments: { memory_id: b.results[0]!.id },
    })) as CallToolResult;
    expect(res.isError).toBe(true);
  });
});

describe('MCP tools for a pinned principal', () => {
  it('answer scope_forbidden (isError) when a call names another user', async () => {
    const f = await serverFixture();
    const principal = { tenant: 'A', keyId: null, admin: false, pin: { userId: 'alice', agentId: null } };
    const server = createMcpServer(new ScopedMemory(f.memory.forTenant('A'), principal));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'test', version: '1' });
    await client.connect(clientSide);
    const refused = (await client.callTool({
      name: 'list_memories',
      arguments: { user_id: 'bob' },
    })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({
      error: { code: 'scope_forbidden', details: { field: 'user_id', pinned: 'alice' } },
    });
    await client.close();
    await f.cleanup();
  });
});

describe('/mcp authentication', () => {
  it('rejects a request without a key', async () => {
    const f = await serverFixture();
    const res = await f.app.request('/mcp', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    await f.cleanup();
  });

  it('is not mounted when the app is built without an MCP handler', async () => {
    const f = await serverFixture();
    const res = await f.app.request('/mcp', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${f.keys.adminA}`,
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'route_not_found' } });
    await f.cleanup();
  });
});
