import { afterAll, beforeAll, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir } from '../support/cli-runner.js';
import { connectMcpInMemory, unpinned } from '../support/mcp-in-memory.js';
import { describePostgres, dropSchema, freshSchema, requirePgUrl } from '../support/postgres.js';

/**
 * The CLI unchanged on PostgreSQL: the same commands, pointed at a server by environment only
 * (ENGRAM_PG_URL + ENGRAM_PG_SCHEMA), keep the same behaviour end to end.
 */
describePostgres('the CLI on PostgreSQL', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  const schema = freshSchema('cli');
  let env: Record<string, string>;
  const engram = async (...args: string[]) => {
    const result = await runInProcess([...args, '--json'], env, tmp.dir);
    if (result.code !== 0) throw new Error(`engram ${args.join(' ')} → ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as Record<string, unknown> & { results?: Record<string, unknown>[] };
  };

  beforeAll(() => {
    tmp = makeTempDir('engram-cli-pg-');
    env = {
      ENGRAM_PG_URL: requirePgUrl(),
      ENGRAM_PG_SCHEMA: schema,
      ENGRAM_LLM: 'none',
      ENGRAM_EMBEDDER: 'none',
    };
  });
  afterAll(async () => {
    tmp?.remove();
    await dropSchema(schema);
  });

  it('adds, searches, versions, travels in time, deletes and reports health', async () => {
    const added = await engram(
      'add',
      'Sarah lives in Boston',
      '--user',
      'sarah',
      '--no-infer',
      '--event-time',
      '2024-01-01T00:00:00Z',
    );
    const id = String(added.results?.[0]?.id);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await engram('update', id, 'Sarah lives in Chicago', '--event-time', '2024-03-01T00:00:00Z');
    const now = await engram('get', id);
    expect(now).toMatchObject({ memory: 'Sarah lives in Chicago' });
    const then = await engram('get', id, '--as-of', '2024-02-01T00:00:00Z');
    expect(then).toMatchObject({ memory: 'Sarah lives in Boston' });
    const found = await engram('search', 'Chicago', '--user', 'sarah');
    expect(found.results?.map((r) => r.id)).toEqual([id]);
    const history = await engram('history', id);
    expect(JSON.stringify(history)).toContain('Sarah lives in Boston');
    const doctor = await runInProcess(['doctor', '--json'], env, tmp.dir);
    expect(doctor.stdout).toContain('PostgreSQL');
    await engram('delete', id);
    const after = await engram('list', '--user', 'sarah');
    expect(after.results).toEqual([]);
  });

  it('serves MCP tools from the same store', async () => {
    const { Memory } = await import('../../src/memory/memory.js');
    const memory = new Memory({
      store: { provider: 'postgres', url: requirePgUrl(), schema },
      llm: null,
      embedder: null,
    });
    const client = await connectMcpInMemory(memory, unpinned(memory.tenant));
    try {
      await client.callTool({
        name: 'add_memory',
        arguments: { messages: 'Tom plays chess', user_id: 'tom', infer: false },
      });
      const result = await client.callTool({
        name: 'search_memory',
        arguments: { query: 'chess', user_id: 'tom' },
      });
      expect(JSON.stringify(result)).toContain('Tom plays chess');
    } finally {
      await client.close();
      await memory.close();
    }
  });
});
