import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IngestWorker } from '../../src/ingest/ingest-worker.js';
import { Memory } from '../../src/memory/memory.js';
import { createApp } from '../../src/server/create-app.js';
import type { ChatModel } from '../../src/spec/chat-model.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { factChatModel } from '../server/fake-chat-model.js';
import { fakeEmbedder } from '../server/server-fixture.js';

let dir: string;
let memory: Memory;
let app: ReturnType<typeof createApp>;
/** Counts the calls that succeed; `failing` makes every call fail upstream. */
let facts: ChatModel & { calls: number };
let failing = false;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'engram-metrics-'));
  failing = false;
  facts = factChatModel((prompt) => [`Fact from ${prompt.split('\n').at(-1) ?? ''}`]);
  const llm: ChatModel = {
    id: facts.id,
    complete: (request) =>
      failing
        ? Promise.reject(new MemoryError('llm_unreachable', 'down', { isRetryable: true }))
        : facts.complete(request),
  };
  memory = new Memory(
    { dbPath: join(dir, 'engram.db'), embedder: null, llm: null },
    { llm: [llm], embedder: fakeEmbedder, env: {}, cwd: dir },
  );
  app = createApp({ memory, auth: false, rateLimit: null });
});

afterEach(async () => {
  await memory.close();
  rmSync(dir, { recursive: true, force: true });
});

async function metrics(): Promise<string> {
  const res = await app.request('/metrics');
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one series, e.g. sample(text, 'engram_llm_tokens_total{model="fake:facts",type="input"}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const post = (body: unknown) =>
  app.request('/memories', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('/metrics: LLM and embedding calls', () => {
  it('reports call latency and tokens after an inferred add', async () => {
    expect((await post({ messages: 'I like tea', user_id: 'alice' })).status).toBe(200);
    const text = await metrics();

    expect(text).toContain('# TYPE engram_llm_call_duration_seconds histogram');
    const llmCalls = sample(text, 'engram_llm_call_duration_seconds_count{model="fake:facts",outcome="ok"}');
    expect(llmCalls).toBe(facts.calls);
    expect(llmCalls).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'engram_llm_call_duration_seconds_bucket{model="fake:facts",outcome="ok",le="+Inf"}'),
    ).toBe(llmCalls);
    // factChatModel reports 10 input and 10 output tokens per call.
    expect(sample(text, 'engram_llm_tokens_total{model="fake:facts",type="input"}')).toBe(10 * facts.calls);
    expect(sample(text, 'engram_llm_tokens_total{model="fake:facts",type="output"}')).toBe(10 * facts.calls);

    expect(text).toContain('# TYPE engram_embedding_call_duration_seconds histogram');
    expect(
      sample(text, 'engram_embedding_call_duration_seconds_count{model="fake:bag-of-words",outcome="ok"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'engram_embedding_texts_total{model="fake:bag-of-words"}')).toBeGreaterThanOrEqual(1);
  });

  it('counts the calls of queued adds run by the worker, and failed calls by error code', async () => {
    expect((await post({ messages: 'I like tea', user_id: 'alice', async: true })).status).toBe(202);
    await new IngestWorker(memory, { onError: () => undefined }).drain();
    expect(
      sample(await metrics(), 'engram_llm_call_duration_seconds_count{model="fake:facts",outcome="ok"}'),
    ).toBe(facts.calls);

    failing = true;
    const res = await post({ messages: 'I like coffee', user_id: 'bob' });
    expect(((await res.json()) as { status: string }).status).toBe('pending');
    expect(
      sample(
        await metrics(),
        'engram_llm_call_duration_seconds_count{model="fake:facts",outcome="llm_unreachable"}',
      ),
    ).toBe(1);
  });

  it('searches embed the query: embedding calls grow, LLM calls do not', async () => {
    await post({ messages: 'I like tea', user_id: 'alice', infer: false });
    const series = 'engram_embedding_call_duration_seconds_count{model="fake:bag-of-words",outcome="ok"}';
    const before = sample(await metrics(), series) ?? 0;
    const res = await app.request('/search', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: 'tea', user_id: 'alice' }),
    });
    expect(res.status).toBe(200);
    const text = await metrics();
    expect(sample(text, series)).toBe(before + 1);
    expect(text).not.toContain('engram_llm_call_duration_seconds_count');
  });
});
