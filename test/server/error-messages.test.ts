import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLogger } from '../../src/server/json-logger.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

type ErrorJson = { error: { code: string; message: string; details: Record<string, unknown> | null } };

/** CLI flags and commands have no place in a REST answer. */
const CLI_WORDS = /--user|--agent|--no-infer|`engram |\bCLI\b/;

describe('REST errors speak REST', () => {
  let f: ServerFixture;
  afterEach(async () => {
    await f.cleanup();
  });

  it('a missing scope names user_id, agent_id or run_id (before: "CLI: --user, --agent or --run")', async () => {
    f = await serverFixture();
    const res = await call(f.app, 'GET', '/memories', f.keys.adminA);
    const { error } = res.json as ErrorJson;
    expect(res.status).toBe(400);
    expect(error.code).toBe('scope_required');
    expect(error.message).toMatch(/user_id, agent_id or run_id/);
    expect(error.message).not.toMatch(CLI_WORDS);
    expect(error.message).not.toMatch(/userId/);
  });

  it('not_found and "no version then" point at REST routes (before: `engram list`, `engram history`)', async () => {
    f = await serverFixture();
    const missing = await call(f.app, 'GET', '/memories/00000000-0000-4000-8000-000000000000', f.keys.adminA);
    expect((missing.json as ErrorJson).error.message).toMatch(/GET \/memories\?user_id=/);
    expect((missing.json as ErrorJson).error.message).not.toMatch(CLI_WORDS);

    const added = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: 'Lives in Boston',
      user_id: 'u',
      infer: false,
      event_time: '2024-01-10',
    });
    const id = (added.json as { results: { id: string }[] }).results[0]!.id;
    const before = await call(f.app, 'GET', `/memories/${id}?as_of=2020-01-01`, f.keys.adminA);
    expect(before.status).toBe(404);
    expect((before.json as ErrorJson).error.message).toContain(`GET /memories/${id}/versions`);
    expect((before.json as ErrorJson).error.message).not.toMatch(CLI_WORDS);
  });

  it('an unknown job id is a 404 in REST terms (before: `engram jobs`)', async () => {
    f = await serverFixture();
    const res = await call(f.app, 'GET', '/jobs/00000000-0000-0000-0000-000000000000', f.keys.adminA);
    expect(res.status).toBe(404);
    const message = (res.json as { error: { code: string; message: string } }).error.message;
    expect(message).toContain('job_id');
    expect(message).not.toMatch(/engram jobs/);
  });

  it('admin_required and an inferred add without an LLM name no CLI command or flag', async () => {
    f = await serverFixture();
    const admin = await call(f.app, 'POST', '/keys', f.keys.userA, { name: 'x' });
    expect(admin.status).toBe(403);
    expect((admin.json as ErrorJson).error).toMatchObject({ code: 'admin_required' });
    expect((admin.json as ErrorJson).error.message).not.toMatch(CLI_WORDS);

    const noLlm = await call(f.app, 'POST', '/memories', f.keys.adminA, { messages: 'hi', user_id: 'u' });
    expect(noLlm.status).toBe(400);
    expect((noLlm.json as ErrorJson).error.code).toBe('llm_not_configured');
    expect((noLlm.json as ErrorJson).error.message).toContain('"infer": false');
    expect((noLlm.json as ErrorJson).error.message).not.toMatch(CLI_WORDS);
  });

  it('a unique key SQLite refuses is 409 conflict in plain words (before: 500 with "UNIQUE constraint failed")', async () => {
    f = await serverFixture();
    // A unique key the engine does not check first: the store's own refusal must still read well.
    const raw = new Database(join(f.dir, 'engram.db'));
    raw.exec('CREATE UNIQUE INDEX test_one_text_per_tenant ON memories(tenant, text)');
    raw.close();
    const add = (user: string) =>
      call(f.app, 'POST', '/memories', f.keys.adminA, {
        messages: 'Plays chess',
        user_id: user,
        infer: false,
      });
    expect((await add('alice')).status).toBe(200);
    const clash = await add('bob');
    const { error } = clash.json as ErrorJson;
    expect(clash.status).toBe(409);
    expect(error.code).toBe('conflict');
    expect(error.message).toMatch(/^Nothing was saved: the change collides with/);
    expect(error.message).not.toMatch(/UNIQUE|SQLite|constraint failed/);
    expect(error.message).toContain('a memory already saved');
    expect(error.details).toEqual({ constraint: 'memories' });
  });

  it('a store failure is store_error without SQLite\u2019s words or the file path, which go to the log', async () => {
    const lines: string[] = [];
    f = await serverFixture({ logger: new JsonLogger((line) => lines.push(line)) });
    const raw = new Database(join(f.dir, 'engram.db'));
    raw.exec(
      `CREATE TRIGGER test_refuse BEFORE INSERT ON memories BEGIN SELECT RAISE(ABORT, 'refused by test'); END`,
    );
    raw.close();
    const res = await call(f.app, 'POST', '/memories', f.keys.adminA, {
      messages: 'Plays chess',
      user_id: 'u',
      infer: false,
    });
    const { error } = res.json as ErrorJson;
    expect(res.status).toBe(500);
    expect(error.code).toBe('store_error');
    expect(error.message).not.toMatch(/SQLite|refused by test/);
    expect(error.message).not.toContain(f.dir);
    expect(error.details).toBeNull();
    expect(lines.join('')).toContain('refused by test');
  });
});
