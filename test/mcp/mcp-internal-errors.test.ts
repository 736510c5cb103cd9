import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import { ScopedMemory } from '../../src/memory/access/scoped-memory.js';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';

describe('MCP internal failures', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('answer in plain words, without the database engine text', async () => {
    f = await serverFixture();
    const memory = f.memory.forTenant('A');
    const { results } = await memory.add('Lives in Oslo', { userId: 'u', infer: false });
    const server = createMcpServer(
      new ScopedMemory(memory, {
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
    // Break the file under the running engine: its next history read fails inside SQLite.
    const broken = new Database(join(f.dir, 'engram.db'));
    broken.exec('DROP TABLE history');
    broken.close();
    const failed = (await client.callTool({
      name: 'memory_history',
      arguments: { memory_id: results[0]!.id },
    })) as CallToolResult;
    expect(failed.isError).toBe(true);
    const text = failed.content[0]?.type === 'text' ? failed.content[0].text : '';
    expect(text).toMatch(/^internal_error: /);
    expect(text).not.toMatch(/no such table|SQLITE|sqlite/i);
    await client.close();
  });
});
