import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GetAllResult, SearchResult } from '../../src/memory/api-types.js';
import { runInProcess } from '../support/cli-in-process.js';
import { closedPortUrl, makeTempDir, parseJson } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

let fake: FakeOllama;
let temp: ReturnType<typeof makeTempDir>;
let up: Record<string, string>;
let down: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 16 });
  temp = makeTempDir();
  const base = {
    ENGRAM_DB: `${temp.dir}/x.db`,
    ENGRAM_LLM: 'none',
    ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
  };
  up = { ...base, OLLAMA_BASE_URL: fake.url };
  down = { ...base, OLLAMA_BASE_URL: await closedPortUrl() };
}, 300_000);

afterAll(async () => {
  await fake?.close();
  temp?.remove();
});

describe('engram with the embedder unreachable', () => {
  it('add fails on one line and writes nothing', async () => {
    const run = await runInProcess(
      ['add', 'I play the cello', '--user', 'alice', '--no-infer', '--json'],
      down,
      temp.dir,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^engram: .*Ollama/);
    const list = await runInProcess(['list', '--user', 'alice', '--json'], down, temp.dir);
    expect(parseJson<GetAllResult>(list).results).toEqual([]);
  });

  it('search degrades to keyword-only and still finds by keyword', async () => {
    expect(
      (await runInProcess(['add', 'I play the cello', '--user', 'alice', '--no-infer'], up, temp.dir)).code,
    ).toBe(0);
    const run = await runInProcess(['search', 'cello', '--user', 'alice', '--json'], down, temp.dir);
    expect(run.code).toBe(0);
    const result = parseJson<SearchResult>(run);
    expect(result.degraded).toBe('keyword-only');
    expect(result.degraded_reason).toBeTypeOf('string');
    expect(result.results.map((m) => m.memory)).toEqual(['I play the cello']);

    const table = await runInProcess(['search', 'cello', '--user', 'alice'], down, temp.dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('I play the cello');
    expect(table.stderr).toMatch(/keyword-only/);
  });
});
