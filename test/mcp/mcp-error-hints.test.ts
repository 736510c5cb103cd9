import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import { openPrincipal } from '../../src/memory/access/principal.js';
import { ScopedMemory } from '../../src/memory/access/scoped-memory.js';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';

const errorOf = (result: unknown) =>
  (result as CallToolResult).structuredContent as { error: { code: string; message: string } };

describe('MCP tool errors speak in tool arguments', () => {
  let f: ServerFixture;
  let client: Client;
  beforeEach(async () => {
    f = await serverFixture();
    const server = createMcpServer(new ScopedMemory(f.memory.forTenant('A'), openPrincipal('A')));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    client = new Client({ name: 'test', version: '1' });
    await client.connect(clientSide);
  });
  afterEach(async () => {
    await client.close();
    await f.cleanup();
  });

  it('a missing scope names user_id, agent_id or run_id (before: "CLI: --user, --agent or --run")', async () => {
    const result = await client.callTool({ name: 'list_memories', arguments: {} });
    expect(result.isError).toBe(true);
    const { error } = errorOf(result);
    expect(error.code).toBe('scope_required');
    expect(error.message).toMatch(/Pass user_id, agent_id or run_id\./);
    expect(error.message).not.toMatch(/--user|CLI|userId/);
  });

  it('an unknown id points at the list_memories tool (before: `engram list`)', async () => {
    const result = await client.callTool({
      name: 'get_memory',
      arguments: { memory_id: '00000000-0000-4000-8000-000000000000' },
    });
    const { error } = errorOf(result);
    expect(error.code).toBe('not_found');
    expect(error.message).toMatch(/list_memories tool/);
    expect(error.message).not.toMatch(/`engram /);
  });
});
