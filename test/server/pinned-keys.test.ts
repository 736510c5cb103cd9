import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import { factChatModel } from './fake-chat-model.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

interface Added {
  results: { id: string; memory: string }[];
}
interface Key {
  key: string;
  id: string;
  user_id: string | null;
  agent_id: string | null;
  admin: boolean;
}
interface Queued {
  job_id: string;
  created: boolean;
}

describe('a pinned admin key stays within its pin', () => {
  let f: ServerFixture;
  let pinnedAdmin: string;
  let bobId: string;
  beforeEach(async () => {
    f = await serverFixture();
    pinnedAdmin = (await issueApiKey(f.store, { tenant: 'A', userId: 'alice', admin: true })).key;
    const bob = await call(f.app, 'POST', '/memories', f.keys.userA, {
      messages: 'Bob likes tea',
      user_id: 'bob',
      infer: false,
    });
    bobId = (bob.json as Added).results[0]!.id;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('mints keys that inherit its pin, never unpinned ones', async () => {
    const minted = await call(f.app, 'POST', '/keys', pinnedAdmin, { admin: true });
    expect(minted.status).toBe(201);
    expect(minted.json).toMatchObject({ user_id: 'alice', agent_id: null, admin: true });
    const key = (minted.json as Key).key;
    expect((await call(f.app, 'GET', '/memories?user_id=bob', key)).status).toBe(403);
    expect((await call(f.app, 'GET', `/memories/${bobId}`, key)).status).toBe(404);
    // ...and what that key mints is pinned too
    const grandchild = await call(f.app, 'POST', '/keys', key, {});
    expect(grandchild.json).toMatchObject({ user_id: 'alice' });
  });

  it('may narrow its pin but not name another user', async () => {
    const narrower = await call(f.app, 'POST', '/keys', pinnedAdmin, { agent_id: 'helper' });
    expect(narrower.status).toBe(201);
    expect(narrower.json).toMatchObject({ user_id: 'alice', agent_id: 'helper', admin: false });
    const same = await call(f.app, 'POST', '/keys', pinnedAdmin, { user_id: 'alice' });
    expect(same.status).toBe(201);
    const other = await call(f.app, 'POST', '/keys', pinnedAdmin, { user_id: 'bob', admin: true });
    expect(other.status).toBe(403);
    expect(other.json).toMatchObject({
      error: { code: 'scope_forbidden', details: { field: 'user_id', pinned: 'alice' } },
    });
  });

  it('lists and revokes only keys within its pin', async () => {
    const minted = (await call(f.app, 'POST', '/keys', pinnedAdmin, {})).json as Key;
    const all = (await call(f.app, 'GET', '/keys', f.keys.adminA)).json as { results: Key[] };
    const outside = all.results.filter((k) => k.user_id !== 'alice');
    expect(outside.length).toBeGreaterThan(0);
    const listed = (await call(f.app, 'GET', '/keys', pinnedAdmin)).json as { results: Key[] };
    expect(listed.results.length).toBeGreaterThan(0);
    expect(listed.results.every((k) => k.user_id === 'alice')).toBe(true);
    for (const k of outside) {
      const res = await call(f.app, 'DELETE', `/keys/${k.id}`, pinnedAdmin);
      expect(res.status, k.id).toBe(404);
    }
    expect((await call(f.app, 'GET', '/memories?user_id=bob', f.keys.adminA)).status).toBe(200);
    expect((await call(f.app, 'DELETE', `/keys/${minted.id}`, pinnedAdmin)).status).toBe(200);
  });

  it('is refused reset: reset erases the whole tenant', async () => {
    await call(f.app, 'POST', '/memories', pinnedAdmin, { messages: 'Alice likes coffee', infer: false });
    const res = await call(f.app, 'POST', '/reset', pinnedAdmin);
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({
      error: { code: 'scope_forbidden', details: { operation: 'reset', field: 'user_id', pinned: 'alice' } },
    });
    expect((await call(f.app, 'GET', `/memories/${bobId}`, f.keys.adminA)).status).toBe(200);
    expect((await call(f.app, 'GET', '/memories', pinnedAdmin)).json).toMatchObject({ total: 1 });
    // A non-admin pinned key still hears admin_required first.
    expect((await call(f.app, 'POST', '/reset', f.keys.pinnedAlice)).json).toMatchObject({
      error: { code: 'admin_required' },
    });
  });
});

describe('jobs are scoped like memories', () => {
  let f: ServerFixture;
  let bobJob: Queued;
  beforeEach(async () => {
    f = await serverFixture({ llm: [factChatModel(() => [])] });
    const res = await call(f.app, 'POST', '/memories', f.keys.userA, {
      messages: 'Bob moved to Lisbon',
      user_id: 'bob',
      async: true,
      idempotency_key: 'turn-1',
    });
    expect(res.status).toBe(202);
    bobJob = res.json as Queued;
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('a key pinned to alice gets 404 for bob’s job, like an unknown id', async () => {
    const res = await call(f.app, 'GET', `/jobs/${bobJob.job_id}`, f.keys.pinnedAlice);
    expect(res.status).toBe(404);
    expect(res.json).toMatchObject({ error: { code: 'not_found' } });
    const unknown = await call(
      f.app,
      'GET',
      '/jobs/00000000-0000-0000-0000-000000000000',
      f.keys.pinnedAlice,
    );
    expect((res.json as { error: { message: string } }).error.message).toBe(
      (unknown.json as { error: { message: string } }).error.message.replace(
        '00000000-0000-0000-0000-000000000000',
        bobJob.job_id,
      ),
    );
    // An unpinned key of the tenant still sees it, with its scope.
    const seen = await call(f.app, 'GET', `/jobs/${bobJob.job_id}`, f.keys.userA);
    expect(seen.status).toBe(200);
    expect(seen.json).toMatchObject({ id: bobJob.job_id, state: 'pending', user_id: 'bob' });
    // Another tenant does not.
    expect((await call(f.app, 'GET', `/jobs/${bobJob.job_id}`, f.keys.adminB)).status).toBe(404);
  });

  it('idempotency keys are per scope: reusing bob’s key gives alice her own job', async () => {
    const res = await call(f.app, 'POST', '/memories', f.keys.pinnedAlice, {
      messages: 'Alice moved to Porto',
      async: true,
      idempotency_key: 'turn-1',
    });
    expect(res.status).toBe(202);
    const alice = res.json as Queued;
    expect(alice.created).toBe(true);
    expect(alice.job_id).not.toBe(bobJob.job_id);
    const seen = await call(f.app, 'GET', `/jobs/${alice.job_id}`, f.keys.pinnedAlice);
    expect(seen.json).toMatchObject({ id: alice.job_id, user_id: 'alice' });
    // Within one scope the key still deduplicates.
    const again = await call(f.app, 'POST', '/memories', f.keys.pinnedAlice, {
      messages: 'Alice moved to Porto',
      async: true,
      idempotency_key: 'turn-1',
    });
    expect(again.json).toMatchObject({ job_id: alice.job_id, created: false });
    const bobAgain = await call(f.app, 'POST', '/memories', f.keys.userA, {
      messages: 'Bob moved to Lisbon',
      user_id: 'bob',
      async: true,
      idempotency_key: 'turn-1',
    });
    expect(bobAgain.json).toMatchObject({ job_id: bobJob.job_id, created: false });
  });
});
