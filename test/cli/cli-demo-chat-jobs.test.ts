import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { closedPortUrl, ensureCliBuilt, makeTempDir, parseJson, runCli } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

let fake: FakeOllama;
let temp: ReturnType<typeof makeTempDir>;
let env: Record<string, string>;

/** A tiny rule-following "model": answers chat, extraction and reconciliation like a small LLM would. */
function actLikeAModel(body: { messages: { role: string; content: string }[]; format?: unknown }): string {
  const last = body.messages.at(-1)?.content ?? '';
  const system = body.messages[0]?.content ?? '';
  if (body.format === undefined) {
    return system.includes('Colorado')
      ? 'Of course, Sarah! You are going to Colorado next month.'
      : 'Nice to meet you!';
  }
  const schema = JSON.stringify(body.format);
  const singlePass = schema.includes('operations') && schema.includes('facts');
  if (schema.includes('operations') && !singlePass)
    return JSON.stringify({ operations: [{ event: 'ADD', fact: 0 }] });
  const newMessages = last.split('NEW MESSAGES:')[1] ?? '';
  const facts = [];
  if (/hiking/i.test(newMessages))
    facts.push({
      text: 'Name is Sarah; loves hiking and photography',
      importance: 0.9,
      category: 'identity',
      event_date: null,
    });
  if (/Colorado/i.test(newMessages) && /planning/i.test(newMessages)) {
    facts.push({
      text: 'Plans a trip to Colorado next month',
      importance: 0.7,
      category: 'plan',
      event_date: null,
    });
  }
  return JSON.stringify(
    singlePass ? { facts, operations: facts.map((_, fact) => ({ event: 'ADD', fact })) } : { facts },
  );
}

beforeAll(async () => {
  await ensureCliBuilt();
  fake = await startFakeOllama({ dimensions: 16, models: ['nomic-embed-text', 'llama3.2:3b'] });
  fake.onChat(actLikeAModel);
  temp = makeTempDir();
  env = {
    ENGRAM_DB: `${temp.dir}/x.db`,
    OLLAMA_BASE_URL: fake.url,
    ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
    ENGRAM_LLM: 'ollama:llama3.2:3b',
  };
}, 300_000);

afterAll(async () => {
  await fake?.close();
  temp?.remove();
});

describe('engram demo', () => {
  it('runs in full mode against Ollama: a new process remembers Sarah and her trip', async () => {
    const run = await runCli(['demo', '--db', `${temp.dir}/demo.db`], env, temp.dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Mode: full');
    const [first, second] = run.stdout.split('A new process starts');
    const pids = [...run.stdout.matchAll(/Process (\d+)/g)].map((m) => m[1]);
    expect(new Set(pids).size).toBe(2);
    expect(second).toContain('You are going to Colorado next month');
    expect(second).toContain('Plans a trip to Colorado next month');
    expect(first).not.toContain('Stored memories');
  });

  it('runs in no-LLM mode when nothing answers, and says what to start', async () => {
    const down = await closedPortUrl();
    const run = await runCli(
      ['demo', '--db', `${temp.dir}/demo2.db`],
      { ...env, OLLAMA_BASE_URL: down },
      temp.dir,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Mode: no-LLM');
    expect(run.stdout).toContain('ollama pull llama3.2:3b');
    expect(run.stdout.split('A new process starts')[1]).toContain('trip to Colorado');
  });
});

describe('engram jobs (in process)', () => {
  it('lists an inference that failed and retries it once the model answers', async () => {
    fake.failNext('/api/chat', { status: 500, count: 10 });
    const add = await runInProcess(
      ['add', 'I love hiking', '--user', 'jo', '--json'],
      { ...env, ENGRAM_LLM: 'ollama:llama3.2:3b' },
      temp.dir,
    );
    expect(add.code).toBe(0);
    const added = parseJson<{ status: string; job_id: string; errors: { code: string }[] }>(add);
    expect(added.status).toBe('pending');
    const jobs = parseJson<{ results: { id: string; state: string }[] }>(
      await runInProcess(['jobs', '--json'], env, temp.dir),
    );
    expect(jobs.results.map((j) => j.id)).toContain(added.job_id);
    fake.failNext('/api/chat', { status: 500, count: 0 });
    const retry = await runInProcess(['jobs', 'retry', added.job_id, '--json'], env, temp.dir);
    expect(retry.code).toBe(0);
    expect(parseJson<{ results: { status: string }[] }>(retry).results[0]?.status).toBe('done');
    const list = parseJson<{ results: { memory: string }[] }>(
      await runInProcess(['list', '--user', 'jo', '--json'], env, temp.dir),
    );
    expect(list.results.map((r) => r.memory)).toEqual(['Name is Sarah; loves hiking and photography']);
  });
});

describe('engram chat', () => {
  it('streams replies, lists memories and forgets one on request', async () => {
    const bin = resolve('bin/engram.js');
    const child = spawn(process.execPath, [bin, 'chat', '--user', 'chatty'], {
      cwd: temp.dir,
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const waitFor = async (text: string) => {
      for (let i = 0; i < 200 && !out.includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toContain(text);
    };
    child.stdin.write("Hi, I'm Sarah and I love hiking\n");
    await waitFor('remembered:');
    child.stdin.write('/memories\n');
    await waitFor('MEMORY');
    await waitFor('you> ');
    const id = out.match(/([0-9a-f-]{36})\s+Name is Sarah/)?.[1];
    expect(id, out).toBeDefined();
    child.stdin.write(`/forget ${id}\n`);
    await waitFor(`Forgotten ${id}`);
    child.stdin.write('/exit\n');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(0);
    expect(out).toContain('assistant> Nice to meet you!');
  });
});
