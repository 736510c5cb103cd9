import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';
import { connectMcpInMemory, unpinned } from '../support/mcp-in-memory.js';

describe('MCP internal failures', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('answer in plain words, without the database engine text', async () => {
    f = await serverFixture();
    const memory = f.memory.forTenant('A');
    const { results } = await memory.add('Lives in Oslo', { userId: 'u', infer: false });
    const client = await connectMcpInMemory(f.memory, unpinned('A'));
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
