import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ServerFixture, serverFixture } from '../server/server-fixture.js';
import { connectMcpInMemory, unpinned } from '../support/mcp-in-memory.js';

const JAN_10 = '2024-01-10T00:00:00.000Z';
const FEB_01 = '2024-02-01T00:00:00.000Z';
const MAR_01 = '2024-03-01T00:00:00.000Z';
const APR_01 = '2024-04-01T00:00:00.000Z';

function json<T>(result: unknown): T {
  const first = (result as CallToolResult).content[0];
  return JSON.parse(first?.type === 'text' ? first.text : 'null') as T;
}

describe('versions through the MCP tools', () => {
  let f: ServerFixture;
  let client: Client;
  beforeEach(async () => {
    f = await serverFixture();
    client = await connectMcpInMemory(f.memory, unpinned('A'));
  });
  afterEach(async () => {
    await client.close();
    await f.cleanup();
  });

  it('update_memory with event_time opens a version; get_memory and search_memory take as_of and known_at', async () => {
    await f.memory
      .forTenant('A')
      .add('Lives in Boston', { userId: 'sarah', infer: false, eventTime: JAN_10 });
    const id = (await f.memory.forTenant('A').getAll({ userId: 'sarah' })).results[0]!.id;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await client.callTool({
      name: 'update_memory',
      arguments: { memory_id: id, text: 'Lives in Chicago', event_time: MAR_01 },
    });
    expect(json<{ version: number }>(updated).version).toBe(2);

    const get = async (args: Record<string, string>) =>
      json<{ memory: string; version: number }>(
        await client.callTool({ name: 'get_memory', arguments: { memory_id: id, ...args } }),
      );
    expect(await get({ as_of: FEB_01 })).toMatchObject({ memory: 'Lives in Boston', version: 1 });
    expect(await get({})).toMatchObject({ memory: 'Lives in Chicago', version: 2 });
    expect(await get({ as_of: APR_01, known_at: between })).toMatchObject({ memory: 'Lives in Boston' });

    const search = async (args: Record<string, string>) =>
      json<{ results: { memory: string }[] }>(
        await client.callTool({
          name: 'search_memory',
          arguments: { query: 'where does sarah live', user_id: 'sarah', ...args },
        }),
      ).results.map((r) => r.memory);
    expect(await search({ as_of: FEB_01 })).toEqual(['Lives in Boston']);
    expect(await search({})).toEqual(['Lives in Chicago']);

    const history = json<{ event: string; version: number }[]>(
      await client.callTool({ name: 'memory_history', arguments: { memory_id: id } }),
    );
    expect(history.map((h) => [h.event, h.version])).toEqual([
      ['UPDATE', 2],
      ['ADD', 1],
    ]);
  });
});
