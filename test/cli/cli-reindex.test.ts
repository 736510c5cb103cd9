import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResult } from '../../src/memory/api-types.js';
import { runInProcess } from '../support/cli-in-process.js';
import { makeTempDir, parseJson } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

let fake: FakeOllama;
let temp: ReturnType<typeof makeTempDir>;
let base: Record<string, string>;
const withModel = (model: string, ...args: string[]) =>
  runInProcess(args, { ...base, ENGRAM_EMBEDDER: `ollama:${model}` }, temp.dir);

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 16, models: ['model-a', 'model-b'] });
  temp = makeTempDir();
  base = { ENGRAM_DB: `${temp.dir}/x.db`, OLLAMA_BASE_URL: fake.url, ENGRAM_LLM: 'none' };
}, 300_000);

afterAll(async () => {
  await fake?.close();
  temp?.remove();
});

describe('engram reindex after an embedding model change', () => {
  it('refuses to mix models, then re-embeds and searches with the new one', async () => {
    expect(
      (await withModel('model-a', 'add', 'my cat is called Miso', '--user', 'alice', '--no-infer')).code,
    ).toBe(0);

    const mixed = await withModel('model-b', 'add', 'my dog is called Bao', '--user', 'alice', '--no-infer');
    expect(mixed.code).not.toBe(0);
    expect(mixed.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(mixed.stderr).toMatch(/engram reindex/);

    const before = parseJson<SearchResult>(
      await withModel('model-b', 'search', 'cat', '--user', 'alice', '--json'),
    );
    expect(before.degraded).toBe('keyword-only');

    const doctor = await withModel('model-b', 'doctor');
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/^FAIL\s+dimensions.*engram reindex/m);

    const reindex = await withModel('model-b', 'reindex', '--json');
    expect(reindex.code).toBe(0);
    expect(parseJson<{ reembedded: number; model: string }>(reindex)).toMatchObject({
      reembedded: 1,
      model: 'ollama:model-b',
    });
    expect(reindex.stderr).toMatch(/re-embedded 1 memories/);

    const after = parseJson<SearchResult>(
      await withModel('model-b', 'search', 'cat Miso', '--user', 'alice', '--json'),
    );
    expect(after.degraded).toBeUndefined();
    expect(after.results.map((m) => m.memory)).toEqual(['my cat is called Miso']);
    expect(
      (await withModel('model-b', 'add', 'my dog is called Bao', '--user', 'alice', '--no-infer')).code,
    ).toBe(0);
  });
});
