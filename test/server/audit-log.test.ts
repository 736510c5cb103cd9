import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { streamableHttpHandler } from '../../src/mcp/streamable-http-handler.js';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { createApp } from '../../src/server/create-app.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { call, fakeEmbedder, type ServerFixture, serverFixture } from './server-fixture.js';

const SECRET_TEXT = 'Alice secretly collects antique typewriters';
const SECRET_QUERY = 'which hobby does alice hide';

/** Every stored audit row, read from the file itself (not through engram). */
function rawRows(f: ServerFixture): Record<string, unknown>[] {
  const db = new Database(`${f.dir}/engram.db`, { readonly: true });
  try {
    return db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Record<string, unknown>[];
  } finally {
    db.close();
  }
}

async function keyIdOf(f: ServerFixture, key: string): Promise<string> {
  const found = (await f.store.listApiKeys('A')).find((k) => key.startsWith(k.prefix));
  if (!found) throw new Error('no such key');
  return found.id;
}

describe('the audit log over REST', () => {
  let f: ServerFixture;
  beforeEach(async () => {
    f = await serverFixture();
  });
  afterEach(() => f.cleanup());

  it('records writes and reads with key id, operation, ids and outcome — never the text or the query', async () => {
    const added = await call(f.app, 'POST', '/memories', f.keys.userA, {
      messages: [{ role: 'user', content: SECRET_TEXT }],
      user_id: 'alice',
      infer: false,
      metadata: { hobby: 'typewriters-metadata-value' },
    });
    expect(added.status).toBe(200);
    const id = (added.json as { results: { id: string }[] }).results[0]?.id as string;
    expect(
      (await call(f.app, 'POST', '/search', f.keys.userA, { query: SECRET_QUERY, user_id: 'alice' })).status,
    ).toBe(200);
    expect((await call(f.app, 'GET', `/memories/${id}`, f.keys.userA)).status).toBe(200);
    const missing = await call(f.app, 'GET', '/memories/00000000-0000-4000-8000-000000000000', f.keys.userA);
    expect(missing.status).toBe(404);

    const listed = await call(f.app, 'GET', '/audit', f.keys.adminA);
    expect(listed.status).toBe(200);
    const userKey = await keyIdOf(f, f.keys.userA);
    const entries = (listed.json as { results: Record<string, unknown>[] }).results;
    expect(entries.map((e) => [e.operation, e.outcome])).toEqual([
      ['memory.get', 'not_found'],
      ['memory.get', 'ok'],
      ['memory.search', 'ok'],
      ['memory.add', 'ok'],
    ]);
    expect(entries[3]).toMatchObject({
      tenant: 'A',
      key_id: userKey,
      actor: `key:${userKey}`,
      channel: 'rest',
      user_id: 'alice',
      target_ids: [id],
    });
    expect(entries[2]).toMatchObject({ target_ids: [id], user_id: 'alice' });
    expect(entries[0]).toMatchObject({ target_ids: ['00000000-0000-4000-8000-000000000000'] });

    const raw = JSON.stringify(rawRows(f));
    expect(raw).not.toContain('typewriters');
    expect(raw).not.toContain('secretly');
    expect(raw).not.toContain('hobby');
    expect(raw).not.toContain(SECRET_QUERY);
  });

  it('records refusals, and only admins read the log: a pinned admin its pin, another tenant nothing', async () => {
    const forbidden = await call(f.app, 'GET', '/memories?user_id=bob', f.keys.pinnedAlice);
    expect(forbidden.status).toBe(403);
    expect((await call(f.app, 'GET', '/audit', f.keys.userA)).json).toMatchObject({
      error: { code: 'admin_required' },
    });
    const pinnedAdmin = (await issueApiKey(f.store, { tenant: 'A', admin: true, userId: 'alice' })).key;
    await call(f.app, 'GET', '/memories?user_id=carol', f.keys.adminA);
    const mine = (await call(f.app, 'GET', '/audit?operation=memory.list', pinnedAdmin)).json as {
      results: { user_id: string; outcome: string }[];
    };
    expect(mine.results.map((e) => [e.user_id, e.outcome])).toEqual([['alice', 'scope_forbidden']]);
    const b = (await call(f.app, 'GET', '/audit', f.keys.adminB)).json as { results: { tenant: string }[] };
    // Tenant B's log holds nothing of A (its own read is recorded once the read has answered).
    expect(b.results).toEqual([]);
    const all = (await call(f.app, 'GET', '/audit?operation=audit.list', f.keys.adminA)).json as {
      results: { outcome: string }[];
    };
    expect(all.results.map((e) => e.outcome)).toEqual(['ok', 'admin_required']);
    expect((await call(f.app, 'GET', '/audit?since=yesterday', f.keys.adminA)).status).toBe(400);
  });

  it('an erasure writes one entry with the scope and the counts, without the erased ids', async () => {
    const added = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: [{ role: 'user', content: SECRET_TEXT }],
      user_id: 'alice',
      infer: false,
    });
    const id = (added.json as { results: { id: string }[] }).results[0]?.id as string;
    expect(
      (await call(f.app, 'POST', '/erase', f.keys.adminA, { user_id: 'alice', confirm: true })).status,
    ).toBe(200);
    const erased = (await call(f.app, 'GET', '/audit?operation=memory.erase', f.keys.adminA)).json as {
      results: Record<string, unknown>[];
    };
    expect(erased.results).toHaveLength(1);
    expect(erased.results[0]).toMatchObject({
      user_id: 'alice',
      target_ids: [],
      counts: { memories: 1, versions: 1, history: 1 },
      outcome: 'ok',
    });
    expect(JSON.stringify(erased.results[0])).not.toContain(id);
    expect(JSON.stringify(rawRows(f))).not.toContain('typewriters');
  });

  it('records MCP tool calls over HTTP with channel mcp', async () => {
    const app = createApp({ memory: f.memory, mcp: streamableHttpHandler() });
    try {
      const res = await app.request('/mcp', {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${f.keys.userA}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'search_memory', arguments: { query: SECRET_QUERY, user_id: 'alice' } },
        }),
      });
      expect(res.status).toBe(200);
      await res.text();
    } finally {
      app.dispose();
    }
    const page = await f.memory.forTenant('A').audit.list({ operation: 'memory.search' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      channel: 'mcp',
      keyId: await keyIdOf(f, f.keys.userA),
      userId: 'alice',
    });
    expect(JSON.stringify(rawRows(f))).not.toContain(SECRET_QUERY);
  });
});

describe('audit settings', () => {
  it('reads: false records writes only; enabled: false records nothing', async () => {
    for (const [audit, expected] of [
      [{ reads: false }, ['memory.add']],
      [{ enabled: false }, []],
    ] as const) {
      const store = new SqliteStore({ path: ':memory:' });
      const memory = new Memory(
        { embedder: null, llm: null, audit },
        { store, embedder: fakeEmbedder, env: {} },
      );
      await memory.store();
      const { key } = await issueApiKey(store, { tenant: 'A' });
      const app = createApp({ memory });
      const added = await call(app, 'POST', '/memories', key, {
        messages: 'a fact',
        user_id: 'u',
        infer: false,
      });
      expect(added.status).toBe(200);
      await call(app, 'POST', '/search', key, { query: 'fact', user_id: 'u' });
      await call(app, 'GET', '/memories?user_id=u', key);
      await memory.audit.flush();
      const rows = await store.audit.listAudit('A', { limit: 100 });
      expect(rows.items.map((e) => e.operation)).toEqual(expected);
      app.dispose();
      await memory.close();
      await store.close();
    }
  });

  it('purges entries older than retentionDays when it writes, and a failed audit write never fails the call', async () => {
    const store = new SqliteStore({ path: ':memory:' });
    let now = new Date('2024-01-01T00:00:00Z');
    const memory = new Memory(
      { embedder: null, llm: null, audit: { retentionDays: 30 } },
      { store, embedder: fakeEmbedder, env: {}, now: () => now },
    );
    await memory.store();
    await store.audit.appendAudit([
      {
        tenant: 'A',
        at: '2023-11-01T00:00:00.000Z',
        keyId: null,
        actor: null,
        channel: 'cli',
        operation: 'memory.add',
        userId: null,
        agentId: null,
        runId: null,
        targetIds: [],
        counts: null,
        outcome: 'ok',
      },
    ]);
    const { key } = await issueApiKey(store, { tenant: 'A' });
    const app = createApp({ memory });
    await call(app, 'POST', '/memories', key, { messages: 'a fact', user_id: 'u', infer: false });
    await memory.audit.flush();
    const left = await store.audit.listAudit('A', { limit: 100 });
    expect(left.items.map((e) => e.at)).toEqual(['2024-01-01T00:00:00.000Z']);
    expect(await memory.audit.purge()).toEqual({ purged: 0, before: '2023-12-02T00:00:00.000Z' });
    now = new Date('2024-03-01T00:00:00Z');
    expect((await memory.audit.purge()).purged).toBe(1);

    // A store whose audit writes fail: the add succeeds, the failure is reported.
    const failures: string[] = [];
    const stop = memory.audit.onFailure((message) => failures.push(message));
    const append = store.audit.appendAudit;
    store.audit.appendAudit = async () => {
      throw new Error('disk full');
    };
    const added = await call(app, 'POST', '/memories', key, {
      messages: 'another fact',
      user_id: 'u',
      infer: false,
    });
    expect(added.status).toBe(200);
    await memory.audit.flush();
    expect(failures).toEqual(['audit entries not written: disk full']);
    store.audit.appendAudit = append;
    stop();
    app.dispose();
    await memory.close();
    await store.close();
  });
});
