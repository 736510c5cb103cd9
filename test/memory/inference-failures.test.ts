import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { facts, type MemoryFixture, memoryFixture, operations, storeVariants } from './memory-fixture.js';

const VALID = facts({ text: 'Loves hiking', category: 'preference' });

/** Every failure ends in correct memories or a visible error with a pending job — never silence. */
describe.each(storeVariants())('inferred add under real failure modes (%s)', (_store, overrides) => {
  let fx: MemoryFixture;
  beforeEach(async () => {
    fx = await memoryFixture(overrides());
  });
  afterEach(async () => {
    await fx.close();
  });

  const texts = async () => (await fx.memory.getAll({ userId: 'u' })).results.map((r) => r.memory);
  const loggedMessages = async () =>
    (await (await fx.memory.store()).recentMessages({ tenant: 'default', userId: 'u' }, 50)).length;

  it.each([
    ['fenced JSON', `\`\`\`json\n${VALID}\n\`\`\``],
    ['prose around JSON', `Sure! Here are the facts:\n${VALID}\nLet me know if you need more.`],
    ['a <think> block first', `<think>The user says they love hiking {maybe}</think>\n${VALID}`],
    [
      'trailing commas',
      '{"facts": [{"text": "Loves hiking", "importance": 0.7, "category": "preference", "event_date": null,},],}',
    ],
  ])('accepts %s', async (_name, reply) => {
    fx.ollama.scriptChat([reply]);
    const out = await fx.memory.add('I love hiking', { userId: 'u' });
    expect(out.status).toBe('done');
    expect(out.usage.llmCalls).toBe(1);
    expect(await texts()).toEqual(['Loves hiking']);
  });

  it('repairs a model that echoes the schema, feeding the problem back', async () => {
    fx.ollama.scriptChat([
      JSON.stringify({ type: 'object', properties: { facts: { type: 'array' } } }),
      VALID,
    ]);
    const out = await fx.memory.add('I love hiking', { userId: 'u' });
    expect(out.usage.llmCalls).toBe(2);
    expect(await texts()).toEqual(['Loves hiking']);
    const repair = fx.ollama.requestsTo('/api/chat')[1]!.body as {
      messages: { role: string; content: string }[];
    };
    expect(repair.messages.at(-1)?.content).toMatch(/repeats the JSON schema/);
  });

  it('truncated JSON twice: a visible error, a pending job, the messages kept', async () => {
    const cut = VALID.slice(0, 30);
    fx.ollama.scriptChat([cut, cut]);
    const out = await fx.memory.add('I love hiking', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', results: [], errors: [{ code: 'llm_invalid_output' }] });
    expect(out.errors![0]!.message).toMatch(/cut off/);
    expect(out.job_id).toEqual(expect.any(String));
    expect(await loggedMessages()).toBe(1);
    const jobs = await fx.memory.jobs();
    expect(jobs.results).toMatchObject([{ id: out.job_id, state: 'pending', attempts: 1 }]);
    expect(jobs.results[0]!.last_error).toMatch(/cut off/);

    // The model recovers: retrying the job stores the fact, once, without logging the message again.
    fx.ollama.scriptChat([VALID]);
    const retried = await fx.memory.retryJobs(out.job_id);
    expect(retried.results).toMatchObject([{ job_id: out.job_id, status: 'done' }]);
    expect(await texts()).toEqual(['Loves hiking']);
    expect(await loggedMessages()).toBe(1);
    expect((await fx.memory.getJob(out.job_id!)).state).toBe('done');
  });

  it('rejects an invented id and recovers with the repair turn', async () => {
    fx.ollama.scriptChat([facts({ text: 'Likes tea' })]);
    await fx.memory.add('I like tea', { userId: 'u' });
    fx.ollama.scriptChat([
      facts({ text: 'Likes green tea' }),
      operations({ event: 'UPDATE', fact: 0, id: 7, text: 'Likes green tea' }),
      operations({ event: 'UPDATE', fact: 0, id: 0, text: 'Likes tea, green tea most' }),
    ]);
    const out = await fx.memory.add('Green tea is my favourite', { userId: 'u' });
    expect(out.results.map((r) => r.event)).toEqual(['UPDATE']);
    const repair = fx.ollama.requestsTo('/api/chat')[3]!.body as { messages: { content: string }[] };
    expect(repair.messages.at(-1)?.content).toMatch(/id 7 does not exist/);
    expect(await texts()).toEqual(['Likes tea, green tea most']);
  });

  it('an invented id twice is reported and nothing is changed', async () => {
    fx.ollama.scriptChat([facts({ text: 'Likes tea' })]);
    await fx.memory.add('I like tea', { userId: 'u' });
    const bad = operations({ event: 'DELETE', fact: 0, id: 42 });
    fx.ollama.scriptChat([facts({ text: 'Hates tea now' }), bad, bad]);
    const out = await fx.memory.add('I hate tea now', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', errors: [{ code: 'llm_invalid_output' }] });
    expect(out.errors![0]!.message).toMatch(/id 42 does not exist/);
    expect(await texts()).toEqual(['Likes tea']);
  });

  it('HTTP 500 from the LLM: error and job, messages kept', async () => {
    fx.ollama.failNext('/api/chat', { status: 500, count: 5, body: { error: 'model crashed' } });
    const out = await fx.memory.add('I love hiking', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', errors: [{ code: 'llm_error' }] });
    expect(await loggedMessages()).toBe(1);
    expect(await texts()).toEqual([]);
  });

  it('a timeout: error and job', async () => {
    const slow = fx.reopen({
      llm: {
        provider: 'ollama',
        model: 'llama3.2:3b',
        baseUrl: fx.ollama.url,
        maxRetries: 0,
        timeoutMs: 100,
      },
    });
    fx.ollama.scriptChat([{ text: VALID, delayMs: 1000 }]);
    const out = await slow.add('I love hiking', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', errors: [{ code: 'llm_unreachable' }] });
    expect((await slow.jobs()).results).toHaveLength(1);
  });

  it('every LLM unreachable: error and job; a fallback chain uses the next model', async () => {
    const dead = {
      provider: 'ollama',
      model: 'llama3.2:3b',
      baseUrl: 'http://127.0.0.1:9',
      maxRetries: 0,
      timeoutMs: 500,
    };
    const alone = fx.reopen({ llm: [dead] });
    const out = await alone.add('I love hiking', { userId: 'u' });
    expect(out).toMatchObject({ status: 'pending', errors: [{ code: 'llm_unreachable' }] });

    const chained = fx.reopen({
      llm: [dead, { provider: 'ollama', model: 'llama3.2:3b', baseUrl: fx.ollama.url, maxRetries: 0 }],
    });
    fx.ollama.scriptChat([VALID]);
    const ok = await chained.add('I love hiking', { userId: 'u2' });
    expect(ok.results.map((r) => r.memory)).toEqual(['Loves hiking']);
  });

  it('no LLM configured: a clear error before anything is written', async () => {
    const none = fx.reopen({ llm: null });
    await expect(none.add('I love hiking', { userId: 'u' })).rejects.toMatchObject({
      code: 'llm_not_configured',
    });
    await expect(none.add('I love hiking', { userId: 'u' })).rejects.toThrow(/infer: false/);
    expect(await loggedMessages()).toBe(0);
  });
});
