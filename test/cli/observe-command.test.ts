import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryItem } from '../../src/memory/api-types.js';
import type { ChannelUsage } from '../../src/memory/observe/memory-observation.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

/**
 * `engram observe` and `engram usage` against a fake Ollama whose window replies are scripted:
 * a JSON Lines export of a channel, observed with --run-now (no server), lands in the speakers'
 * scopes; a replay logs nothing and runs no window; usage shows the window and its cost.
 */

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
let env: Record<string, string>;
const cli = (...args: string[]) => runInProcess(args, env, tmp.dir);

const fact = (text: string, speaker: string, messages: number[]) => ({
  text,
  speaker,
  messages,
  importance: 0.7,
  category: 'other',
  event_date: null,
});

const MESSAGES = [
  { id: 'm1', speakerId: 'u-ana', speakerName: 'Ana', content: 'I just adopted a greyhound called Pixel' },
  { id: 'm2', speakerId: 'u-bo', speakerName: 'Bo', content: 'lol' },
  // The REST spelling is accepted in a file too.
  { id: 'm3', speaker_id: 'u-bo', speaker_name: 'Bo', content: 'I start at the bakery on Monday' },
  { id: 'm4', speakerId: 'u-ana', content: 'Pixel loves the beach', time: '2024-05-01T10:04:00Z' },
  { id: 'm5', speakerId: 'u-cy', speakerName: 'Cy', content: '!weather Lisbon' },
];

/** The observe-window calls the fake received (the schema asks for facts with a speaker). */
const windowCalls = () =>
  ollama.requestsTo('/api/chat').filter((r) => JSON.stringify(r.body).includes('"speaker"'));

beforeAll(async () => {
  ollama = await startFakeOllama({ dimensions: 32 });
  tmp = makeTempDir('engram-observe-cli-');
  writeFileSync(
    join(tmp.dir, 'engram.config.json'),
    JSON.stringify({ observe: { windowMessages: 3, windowMinutes: 10 } }),
  );
  writeFileSync(join(tmp.dir, 'general.jsonl'), `${MESSAGES.map((m) => JSON.stringify(m)).join('\n')}\n`);
  env = {
    ENGRAM_DB: join(tmp.dir, 'x.db'),
    OLLAMA_BASE_URL: ollama.url,
    ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
    ENGRAM_LLM: 'ollama:llama3.2:3b',
  };
}, 60_000);

afterAll(async () => {
  await ollama?.close();
  tmp?.remove();
});

describe('engram observe / engram usage', () => {
  it('--run-now extracts the file into each speaker’s scope; a replay logs nothing and runs no window', async () => {
    // Kept for extraction: m1, m3, m4 (m2 is chatter, m5 a command), numbered 0..2 in the window.
    ollama.scriptChat([
      JSON.stringify({
        facts: [
          fact('Adopted a greyhound called Pixel', 'u-ana', [0, 2]),
          fact('Starts a job at the bakery on Monday', 'u-bo', [1]),
        ],
      }),
    ]);
    const run = await cli('observe', '--channel', 'general', 'general.jsonl', '--run-now');
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('channel general: logged 5, duplicates 0, skipped 2 (chatter 1, command 1)');
    expect(run.stdout).toContain('window 1: 5 messages (3 sent to the LLM), 2 facts added, 1 LLM calls');
    expect(windowCalls()).toHaveLength(1);
    expect(JSON.stringify(windowCalls()[0]?.body)).not.toContain('lol');

    const ana = parseJson<{ results: MemoryItem[] }>(await cli('list', '--user', 'u-ana', '--json'));
    expect(ana.results.map((m) => [m.memory, m.run_id, m.metadata.message_ids])).toEqual([
      ['Adopted a greyhound called Pixel', 'general', ['m1', 'm4']],
    ]);
    const bo = parseJson<{ results: MemoryItem[] }>(await cli('list', '--user', 'u-bo', '--json'));
    expect(bo.results.map((m) => m.memory)).toEqual(['Starts a job at the bakery on Monday']);

    const replay = await cli('observe', '--channel', 'general', 'general.jsonl', '--run-now', '--json');
    expect(replay.code, replay.stderr).toBe(0);
    expect(JSON.parse(replay.stdout)).toMatchObject({
      channel_id: 'general',
      logged: 0,
      duplicates: 5,
      skipped: {},
      pending: 0,
      windows: [],
    });
    expect(windowCalls()).toHaveLength(1);
  });

  it('without --run-now it reports what waits for the window; a bad line logs nothing', async () => {
    const file = join(tmp.dir, 'later.json');
    writeFileSync(
      file,
      JSON.stringify([{ id: 'n1', speakerId: 'u-ana', content: 'Pixel turns three in June' }]),
    );
    const run = await cli('observe', '--channel', 'general', file);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('channel general: logged 1, duplicates 0, skipped 0');
    expect(run.stdout).toMatch(/pending 1; window due \d{4}-\d\d-\d\dT/);

    writeFileSync(
      join(tmp.dir, 'bad.jsonl'),
      `${JSON.stringify({ id: 'b1', speakerId: 'u-ana', content: 'Fine line' })}\n{"id": "b2", "content": "no speaker"}\n`,
    );
    const bad = await cli('observe', '--channel', 'other', 'bad.jsonl', '--json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('line 2: speakerId must be a non-empty string');
    const nothing = await cli('usage', '--channel', 'other');
    expect(nothing.stdout).toContain('No observation windows recorded for channel other');
  });

  it('--run-now when the LLM fails: the messages stay logged, and the next run extracts them', async () => {
    const file = join(tmp.dir, 'flaky.jsonl');
    writeFileSync(
      file,
      `${JSON.stringify({ id: 'f1', speakerId: 'u-dee', content: 'I moved to Porto last year' })}\n`,
    );
    // No scripted reply: the fake answers "{}", which is not a window's JSON.
    const failed = await cli('observe', '--channel', 'flaky', file, '--run-now');
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('engram: logged 1 messages of flaky (0 duplicates); a window failed');
    ollama.scriptChat([JSON.stringify({ facts: [fact('Moved to Porto last year', 'u-dee', [0])] })]);
    const again = await cli('observe', '--channel', 'flaky', file, '--run-now', '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ logged: 0, duplicates: 1, windows: [{ messages: 1 }] });
    const dee = parseJson<{ results: MemoryItem[] }>(await cli('list', '--user', 'u-dee', '--json'));
    expect(dee.results.map((m) => m.memory)).toEqual(['Moved to Porto last year']);
  });

  it('usage shows the window per day and the total, with the cost of a priced model', async () => {
    const run = await cli('usage', '--channel', 'general');
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^day\s+windows\s+messages\s+skipped\s+facts\s+llm calls\s+tokens in\s+tokens out$/,
    );
    const today = new Date().toISOString().slice(0, 10);
    expect(lines[1]).toMatch(new RegExp(`^${today}\\s+1\\s+5\\s+40%\\s+2\\s+1\\s+\\d+\\s+\\d+$`));
    expect(lines[2]).toMatch(/^total\s+1\s+5\s+40%\s+2\s+1\s+\d+\s+\d+$/);
    // A local model costs nothing.
    expect(lines[3]).toBe('estimated cost: $0 (ollama:llama3.2:3b at $0 in / $0 out per million tokens)');

    const json = parseJson<ChannelUsage>(
      await cli('usage', '--channel', 'general', '--since', today, '--json'),
    );
    expect(json.total).toMatchObject({ windows: 1, messages: 5, skipped: 2, facts: 2, llmCalls: 1 });
    expect(json.total.inputTokens).toBeGreaterThan(0);
    expect(json.days.map((d) => d.day)).toEqual([today]);

    // A price from observe.prices is applied to the tokens.
    const priced = { ...env, ENGRAM_CONFIG: join(tmp.dir, 'priced.json') };
    writeFileSync(
      priced.ENGRAM_CONFIG,
      JSON.stringify({ observe: { prices: { 'ollama:llama3.2:3b': { input: 1_000_000, output: 0 } } } }),
    );
    const costly = await runInProcess(['usage', '--channel', 'general'], priced, tmp.dir);
    expect(costly.stdout).toContain(
      `estimated cost: $${json.total.inputTokens} (ollama:llama3.2:3b at $1000000 in / $0 out per million tokens)`,
    );

    const bad = await cli('usage', '--channel', 'general', '--since', '2024-02-30');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--since must be a date YYYY-MM-DD');
  });

  it('names how to set a price when the model has none', async () => {
    const unpriced = { ...env, ENGRAM_LLM: 'openai:gpt-unknown', OPENAI_API_KEY: 'sk-test' };
    const run = await runInProcess(['usage', '--channel', 'general'], unpriced, tmp.dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('No price known for openai:gpt-unknown: set it in engram.config.json');
    expect(run.stdout).toContain('"observe": {"prices": {"openai:gpt-unknown"');
  });
});
