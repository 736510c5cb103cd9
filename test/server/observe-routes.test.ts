import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueApiKey } from '../../src/memory/access/issue-api-key.js';
import type { ChannelUsage } from '../../src/memory/observe/memory-observation.js';
import type { ChatModel } from '../../src/spec/chat-model.js';
import { isWindowRequest, windowReplyFor } from '../support/observe-window-reply.js';
import { call, type ServerFixture, serverFixture } from './server-fixture.js';

interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

/** Answers observe-window calls with one fact per kept message; counts them. */
function windowModel(): ChatModel & { calls: number } {
  const model = {
    id: 'fake:window',
    calls: 0,
    async complete(request: Parameters<ChatModel['complete']>[0]) {
      model.calls += 1;
      const prompt = request.messages.at(-1)?.content ?? '';
      const text = isWindowRequest(request.schema?.schema) ? windowReplyFor(prompt) : '{}';
      return { text, usage: { inputTokens: 100, outputTokens: 20, reported: true }, model: 'fake' };
    },
  };
  return model;
}

const messages = [
  { id: 'm1', speaker_id: 'u-ana', speaker_name: 'Ana', content: 'I adopted a greyhound called Pixel' },
  { id: 'm2', speaker_id: 'u-bo', content: 'lol' },
  { id: 'm3', speaker_id: 'u-bo', content: 'I start at the bakery on Monday', time: '2024-05-01T10:00:00Z' },
];

/** The value of one series in /metrics text (NaN when absent). */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

describe('POST /observe, GET /observe/{channel_id}/usage', () => {
  let f: ServerFixture;
  let model: ReturnType<typeof windowModel>;
  beforeEach(async () => {
    model = windowModel();
    f = await serverFixture({ llm: [model] });
  });
  afterEach(async () => {
    await f.cleanup();
  });

  it('logs the messages (snake_case on the wire), is idempotent, and a window fills the speakers’ scopes', async () => {
    const res = await call(f.app, 'POST', '/observe', f.keys.userA, { channel_id: 'general', messages });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      channel_id: 'general',
      logged: 3,
      duplicates: 0,
      skipped: { chatter: 1 },
      pending: 3,
    });
    expect((res.json as { window_due_at: string }).window_due_at).toMatch(/^\d{4}-/);
    const replay = await call(f.app, 'POST', '/observe', f.keys.adminA, { channel_id: 'general', messages });
    expect(replay.json).toMatchObject({ logged: 0, duplicates: 3, skipped: {} });

    const window = await f.memory.forTenant('A').observation.runWindow('general');
    expect(window).toMatchObject({ messages: 3, extracted: 2, more: false });
    expect(model.calls).toBe(1);
    const ana = await call(f.app, 'GET', '/memories?user_id=u-ana', f.keys.userA);
    expect((ana.json as { results: { memory: string; run_id: string }[] }).results).toEqual([
      expect.objectContaining({ run_id: 'general', memory: expect.stringMatching(/^I adopted a greyhound/) }),
    ]);

    const usage = await call(f.app, 'GET', '/observe/general/usage', f.keys.userA);
    expect(usage.status).toBe(200);
    const body = usage.json as ChannelUsage;
    expect(body.channel_id).toBe('general');
    expect(body.total).toMatchObject({ windows: 1, messages: 3, skipped: 1, facts: 2, llmCalls: 1 });
    expect(body.days).toHaveLength(1);
    // No LLM in the config (the fixture injects the model): no price to apply.
    expect(body.cost).toBeNull();
    const since = await call(f.app, 'GET', '/observe/general/usage?since=2999-01-01', f.keys.userA);
    expect((since.json as ChannelUsage).days).toEqual([]);
  });

  it('400 names the field: missing, empty, too many, unknown (camelCase is not the wire spelling)', async () => {
    const fields = async (body: unknown) => {
      const res = await call(f.app, 'POST', '/observe', f.keys.adminA, body);
      expect(res.status).toBe(400);
      const error = (res.json as ErrorBody).error;
      expect(error.code).toBe('invalid_input');
      return ((error.details?.fields ?? []) as { path: string }[]).map((x) => x.path);
    };
    expect(await fields({ messages })).toEqual(['channel_id']);
    expect(await fields({ channel_id: 'general', messages: [] })).toEqual(['messages']);
    expect(await fields({ channel_id: 'general', messages: [{ id: 'm1', content: 'hi' }] })).toEqual([
      'messages.0.speaker_id',
    ]);
    expect(
      await fields({
        channel_id: 'general',
        messages: [{ id: 'm1', speakerId: 'u-ana', speaker_id: 'u-ana', content: 'hi' }],
      }),
    ).toEqual(['messages.0']);
    expect(
      await fields({
        channel_id: 'general',
        messages: [{ id: 'm1', speaker_id: 'u-ana', content: 'hi', time: true }],
      }),
    ).toEqual(['messages.0.time']);
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `m${i}`, speaker_id: 'u', content: 'x' }));
    expect(await fields({ channel_id: 'general', messages: many })).toEqual(['messages']);
    // The engine's checks answer in the same shape: one id twice in a call.
    const twice = await call(f.app, 'POST', '/observe', f.keys.adminA, {
      channel_id: 'general',
      messages: [messages[0], messages[0]],
    });
    expect(twice.status).toBe(400);
    expect((twice.json as ErrorBody).error.message).toContain('appears twice');

    const usage = await call(f.app, 'GET', '/observe/general/usage?since=2024-02-30', f.keys.adminA);
    expect(usage.status).toBe(400);
    expect((usage.json as ErrorBody).error.details?.fields).toEqual([
      { path: 'since', message: 'expected a date YYYY-MM-DD' },
    ]);
    const unknown = await call(f.app, 'GET', '/observe/general/usage?from=2024-01-01', f.keys.adminA);
    expect(unknown.status).toBe(400);
  });

  it('a key pinned to a user or an agent may not observe a channel nor read its usage (403 scope_forbidden)', async () => {
    const agentKey = (await issueApiKey(f.store, { tenant: 'A', agentId: 'helper', admin: true })).key;
    for (const [key, field, pinned] of [
      [f.keys.pinnedAlice, 'user_id', 'alice'],
      [agentKey, 'agent_id', 'helper'],
    ] as const) {
      const res = await call(f.app, 'POST', '/observe', key, { channel_id: 'general', messages });
      expect(res.status).toBe(403);
      const error = (res.json as ErrorBody).error;
      expect(error.code).toBe('scope_forbidden');
      expect(error.details).toEqual({ operation: 'observe', field, pinned });
      expect(error.message).toContain('every speaker');
      const usage = await call(f.app, 'GET', '/observe/general/usage', key);
      expect(usage.status).toBe(403);
      expect((usage.json as ErrorBody).error.details).toMatchObject({ operation: 'observation_usage' });
    }
    // Nothing was logged: an unpinned key's first call logs all three.
    const res = await call(f.app, 'POST', '/observe', f.keys.userA, { channel_id: 'general', messages });
    expect(res.json).toMatchObject({ logged: 3 });
    // Another tenant's channel of the same name is its own.
    const other = await call(f.app, 'POST', '/observe', f.keys.adminB, { channel_id: 'general', messages });
    expect(other.json).toMatchObject({ logged: 3, duplicates: 0 });
  });

  it('/metrics counts messages by outcome, windows, their size, facts and the lag', async () => {
    const metrics = async () => String((await call(f.app, 'GET', '/metrics', null)).json);
    const before = await metrics();
    expect(sample(before, 'engram_observe_messages_total{outcome="logged"}')).toBe(0);
    expect(sample(before, 'engram_observe_windows_total')).toBe(0);
    expect(before).not.toContain('engram_observe_lag_seconds ');

    await call(f.app, 'POST', '/observe', f.keys.userA, { channel_id: 'team/general', messages });
    await call(f.app, 'POST', '/observe', f.keys.userA, { channel_id: 'team/general', messages });
    await f.memory.forTenant('A').observation.runWindow('team/general');
    const after = await metrics();
    expect(sample(after, 'engram_observe_messages_total{outcome="logged"}')).toBe(2);
    expect(sample(after, 'engram_observe_messages_total{outcome="skipped"}')).toBe(1);
    expect(sample(after, 'engram_observe_messages_total{outcome="duplicate"}')).toBe(3);
    expect(sample(after, 'engram_observe_windows_total')).toBe(1);
    expect(sample(after, 'engram_observe_window_messages_sum')).toBe(3);
    expect(sample(after, 'engram_observe_window_messages_bucket{le="5"}')).toBe(1);
    expect(sample(after, 'engram_observe_window_messages_bucket{le="1"}')).toBe(0);
    expect(sample(after, 'engram_observe_facts_total')).toBe(2);
    expect(sample(after, 'engram_observe_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after).toContain('# TYPE engram_observe_lag_seconds gauge');

    // A channel id with a slash travels encoded in the usage path.
    const usage = await call(
      f.app,
      'GET',
      `/observe/${encodeURIComponent('team/general')}/usage`,
      f.keys.userA,
    );
    expect(usage.status).toBe(200);
    expect((usage.json as ChannelUsage).total).toMatchObject({ windows: 1, messages: 3 });
  });

  it('is in the OpenAPI document', async () => {
    const doc = (await call(f.app, 'GET', '/openapi.json', null)).json as {
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; in: string; required: boolean }[] }>
      >;
    };
    expect(doc.paths['/observe']?.post).toBeDefined();
    const params = doc.paths['/observe/{channel_id}/usage']?.get?.parameters ?? [];
    expect(params).toEqual([
      expect.objectContaining({ name: 'channel_id', in: 'path', required: true }),
      expect.objectContaining({ name: 'since', in: 'query', required: false }),
    ]);
  });
});
