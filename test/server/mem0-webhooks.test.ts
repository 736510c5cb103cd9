import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { Memory } from '../../src/memory/memory.js';
import { type RunningServer, serve } from '../../src/server/serve.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';
import { QueuedAddWatch } from '../../src/webhooks/queued-add-watch.js';
import { type DeliveryFailure, WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.js';
import type { WebhookRecord } from '../../src/webhooks/webhook-registry.js';
import { factChatModel } from './fake-chat-model.js';
import { fakeEmbedder } from './server-fixture.js';

process.env.MEM0_TELEMETRY = 'false';
const { MemoryClient } = await import('mem0ai');

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json: { event_details: { id: string; data: { memory: string }; event: string }; event_type: string };
}

/** A real HTTP receiver: records every POST; `/flaky` answers 500 to its first request. */
async function receiver(): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  let flaky = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body, json: JSON.parse(body) });
      const fail = (req.url === '/flaky' && flaky++ === 0) || req.url === '/down';
      res.writeHead(req.url === '/refuse' ? 400 : fail ? 500 : 200).end(fail ? 'not yet' : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, server };
}

/** The receiver's check, written from the doc: HMAC-SHA256 over "<timestamp>.<raw body>". */
function signedBy(secret: string, r: Received): boolean {
  const timestamp = String(r.headers['x-engram-timestamp']);
  const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${r.body}`).digest('hex')}`;
  return (
    r.headers['x-engram-signature'] === expected && Math.abs(Date.now() / 1000 - Number(timestamp)) < 300
  );
}

async function until<T>(what: string, read: () => T | undefined | false, ms = 5000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = read();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('mem0 webhooks: signed deliveries to a local receiver, with retries', () => {
  let dir: string;
  let store: SqliteStore;
  let memory: Memory;
  let server: RunningServer;
  let hooks: Awaited<ReturnType<typeof receiver>>;
  let client: InstanceType<typeof MemoryClient>;
  let key: string;
  let secret: string;
  const llm = factChatModel((prompt) => (prompt.includes('queued: I sail') ? ['Sails on weekends'] : []));

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-webhooks-'));
    store = new SqliteStore({ path: join(dir, 'engram.db') });
    memory = new Memory(
      { dbPath: join(dir, 'engram.db'), embedder: null, llm: 'ollama:fake' },
      { store, embedder: fakeEmbedder, llm: [llm], env: {}, cwd: dir },
    );
    key = (await issueApiKey(await memory.store(), { tenant: 'hooks' })).key;
    hooks = await receiver();
    server = await serve({
      memory,
      host: '127.0.0.1',
      port: 0,
      rateLimit: null,
      webhooks: { retryDelaysMs: [100, 200], pollMs: 50 },
    });
    client = new MemoryClient({ apiKey: key, host: server.url });
    const made = await client.createWebhook({
      name: 'all events',
      url: `${hooks.url}/ok`,
      eventTypes: ['memory_add', 'memory_update', 'memory_delete'] as never,
    });
    secret = (made as unknown as { secret: string }).secret;
  });

  afterAll(async () => {
    await server.close();
    hooks.server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    hooks.received.length = 0;
  });

  const add = async (userId: string, content: string) =>
    (
      (await client.add([{ role: 'user', content }], { userId, infer: false })) as unknown as {
        results: { id: string }[];
      }
    ).results[0]!.id;

  it('posts memory_add, memory_update and memory_delete, each signed with the secret', async () => {
    const id = await add('alice', 'Likes green tea');
    await client.update(id, { text: 'Likes jasmine tea' });
    await client.delete(id);
    const got = await until('three deliveries', () => hooks.received.length >= 3 && hooks.received);
    expect(got.map((r) => [r.headers['x-engram-event'], r.json.event_details])).toEqual([
      ['memory_add', { id, data: { memory: 'Likes green tea' }, event: 'ADD' }],
      ['memory_update', { id, data: { memory: 'Likes jasmine tea' }, event: 'UPDATE' }],
      ['memory_delete', { id, data: { memory: 'Likes jasmine tea' }, event: 'DELETE' }],
    ]);
    for (const r of got) {
      expect(signedBy(secret, r)).toBe(true);
      expect(r.json).toMatchObject({ project: 'hooks', webhook_id: r.headers['x-engram-webhook-id'] });
      expect(signedBy('whsec_wrong', r)).toBe(false);
    }
  });

  it('retries after a 500 with the same delivery id, signed anew', async () => {
    const flaky = await client.createWebhook({
      name: 'flaky',
      url: `${hooks.url}/flaky`,
      eventTypes: ['memory_add'] as never,
    });
    const flakySecret = (flaky as unknown as { secret: string }).secret;
    await add('bob', 'Owns a red bike');
    const attempts = await until('two attempts at /flaky', () => {
      const at = hooks.received.filter((r) => r.path === '/flaky');
      return at.length >= 2 && at;
    });
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers['x-engram-delivery']).toBe(attempts[1]!.headers['x-engram-delivery']);
    expect(attempts.every((r) => signedBy(flakySecret, r))).toBe(true);
    expect(attempts[1]!.json.event_details.data.memory).toBe('Owns a red bike');
    await client.deleteWebhook({ webhookId: flaky.webhookId! });
  });

  it('fires the events of a queued add once a worker has run it', async () => {
    await client.add([{ role: 'user', content: 'queued: I sail' }], { userId: 'carol', asyncMode: true });
    await new Promise((r) => setTimeout(r, 150));
    expect(hooks.received).toHaveLength(0);
    const [leased] = await store.claimJobs({ limit: 1, now: new Date().toISOString(), leaseMs: 60_000 });
    const result = await memory.runJob(leased!);
    await store.completeJob(
      leased!.tenant,
      leased!.id,
      JSON.parse(JSON.stringify(result)),
      new Date().toISOString(),
    );
    const [got] = await until('the queued add', () => hooks.received.length > 0 && hooks.received);
    expect(got!.json.event_details).toMatchObject({ data: { memory: 'Sails on weekends' }, event: 'ADD' });
  });

  it('reports writes of the native REST API too, and a deleteAll memory by memory', async () => {
    const res = await fetch(`${server.url}/memories`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ messages: 'Plays the cello', user_id: 'dave', infer: false }),
    });
    expect(res.status).toBe(200);
    await add('dave', 'Plays the piano');
    await until('two adds', () => hooks.received.length >= 2);
    hooks.received.length = 0;
    await client.deleteAll({ userId: 'dave' });
    const deleted = await until('two deletes', () => hooks.received.length >= 2 && hooks.received);
    expect(deleted.map((r) => r.json.event_details.data.memory).sort()).toEqual([
      'Plays the cello',
      'Plays the piano',
    ]);
  });

  it('an inactive webhook, or one that does not listen for the event, gets nothing', async () => {
    const [all] = await client.getWebhooks();
    await client.updateWebhook({ webhookId: all!.webhookId!, eventTypes: ['memory_delete'] as never });
    await add('erin', 'Reads poetry');
    await new Promise((r) => setTimeout(r, 150));
    expect(hooks.received).toHaveLength(0);
    // The client's updateWebhook sends name, url and event types only; is_active goes over HTTP.
    const off = await fetch(`${server.url}/api/v1/webhooks/${all!.webhookId}/`, {
      method: 'PUT',
      headers: { Authorization: `Token ${key}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ is_active: false }),
    });
    expect(off.status).toBe(200);
    expect((await client.getWebhooks())[0]).toMatchObject({ isActive: false, eventTypes: ['memory_delete'] });
    await client.deleteUsers({ userId: 'erin' });
    await new Promise((r) => setTimeout(r, 150));
    expect(hooks.received).toHaveLength(0);
  });

  it('refuses a key pinned to a user (webhooks see every scope), a bad URL and unknown ids', async () => {
    const pinned = (await issueApiKey(await memory.store(), { tenant: 'hooks', userId: 'alice' })).key;
    const asPinned = new MemoryClient({ apiKey: pinned, host: server.url });
    await expect(asPinned.getWebhooks()).rejects.toMatchObject({ errorCode: 'HTTP_403' });
    await expect(
      client.createWebhook({ name: 'ftp', url: 'ftp://example.org/', eventTypes: ['memory_add'] as never }),
    ).rejects.toMatchObject({ errorCode: 'HTTP_400', message: expect.stringMatching(/url/) });
    await expect(client.deleteWebhook({ webhookId: 'nope' })).rejects.toMatchObject({
      errorCode: 'HTTP_404',
    });
    const other = (await issueApiKey(await memory.store(), { tenant: 'elsewhere' })).key;
    const res = await fetch(`${server.url}/api/v1/webhooks/projects/hooks/`, {
      headers: { Authorization: `Token ${other}` },
    });
    expect(res.status).toBe(404);
  });

  describe('the dispatcher on its own', () => {
    const hook = (path: string): WebhookRecord => ({
      id: `hook-${path}`,
      name: path,
      url: `${hooks.url}${path}`,
      eventTypes: ['memory_add'],
      active: true,
      secret: 'whsec_test',
      createdAt: '',
      updatedAt: '',
    });

    it('gives up after every retry failed, and at once on a 4xx', async () => {
      const failures: DeliveryFailure[] = [];
      const dispatcher = new WebhookDispatcher({
        retryDelaysMs: [20, 20],
        onGiveUp: (f) => failures.push(f),
      });
      dispatcher.deliver(hook('/down'), 'memory_add', { n: 1 });
      dispatcher.deliver(hook('/refuse'), 'memory_add', { n: 2 });
      await dispatcher.idle();
      expect(hooks.received.filter((r) => r.path === '/down')).toHaveLength(3);
      expect(hooks.received.filter((r) => r.path === '/refuse')).toHaveLength(1);
      expect(failures.map((f) => [f.webhookId, f.attempts, f.status]).sort()).toEqual([
        ['hook-/down', 3, 500],
        ['hook-/refuse', 1, 400],
      ]);
    });

    it('close() drops the retries still waiting', async () => {
      const dispatcher = new WebhookDispatcher({ retryDelaysMs: [60_000] });
      dispatcher.deliver(hook('/down'), 'memory_add', {});
      await until('the first attempt', () => hooks.received.length === 1);
      dispatcher.close();
      await dispatcher.idle();
      expect(hooks.received).toHaveLength(1);
    });
  });

  it('a group of queued jobs sharing one result fires each event once', async () => {
    const fired: string[] = [];
    const watch = new QueuedAddWatch(async (_tenant, events) => {
      fired.push(...events.map((e) => `${e.event} ${e.memory}`));
    });
    const result = {
      results: [
        { id: 'm1', memory: 'Sails', event: 'ADD' },
        { id: 'm2', memory: 'x', event: 'NONE' },
      ],
    };
    watch.watch('t', 'job-1', async () => ({ state: 'done', result }));
    watch.watch('t', 'job-2', async () => ({ state: 'done', result }));
    watch.watch('t', 'job-3', async () => ({ state: 'dead', result: null }));
    await watch.poll();
    expect(fired).toEqual(['ADD Sails']);
    expect(watch.size).toBe(0);
    watch.close();
  });
});
