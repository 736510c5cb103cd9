import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../support/cli-in-process.js';
import { closedPortUrl, makeTempDir, parseJson } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

interface DoctorReport {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

let fake: FakeOllama;
let temp: ReturnType<typeof makeTempDir>;
let env: Record<string, string>;
const doctor = (extra: Record<string, string>, ...args: string[]) =>
  runInProcess(['doctor', ...args], { ...env, ...extra }, temp.dir);
const failed = (report: DoctorReport) => report.checks.filter((c) => !c.ok).map((c) => c.name);

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 16, models: ['nomic-embed-text', 'llama3.2:3b'] });
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

describe('engram doctor', () => {
  it('passes every check against a healthy Ollama', async () => {
    const run = await doctor({}, '--json');
    expect(run.code).toBe(0);
    const report = parseJson<DoctorReport>(run);
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => c.name)).toEqual(['config', 'database', 'embedder', 'dimensions', 'llm']);
    expect(report.checks.find((c) => c.name === 'database')?.detail).toMatch(/quick_check: ok/);

    const text = await doctor({});
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ok\s+config/m);
    expect(text.stdout).not.toContain('FAIL');
  });

  it('passes with no LLM configured, saying what that means', async () => {
    const report = parseJson<DoctorReport>(await doctor({ ENGRAM_LLM: 'none' }, '--json'));
    expect(report.ok).toBe(true);
    expect(report.checks.find((c) => c.name === 'llm')?.detail).toMatch(/--no-infer/);
  });

  it('fails the llm check when the model is not pulled', async () => {
    const run = await doctor({ ENGRAM_LLM: 'ollama:qwen2.5:7b' }, '--json');
    expect(run.code).toBe(1);
    const report = parseJson<DoctorReport>(run);
    expect(failed(report)).toEqual(['llm']);
    expect(report.checks.find((c) => c.name === 'llm')?.detail).toMatch(/ollama pull qwen2.5:7b/);
  });

  it('fails with exit 1 when Ollama is unreachable', async () => {
    const run = await doctor({ OLLAMA_BASE_URL: await closedPortUrl() });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL\s+embedder/m);
    expect(run.stdout).toMatch(/^FAIL\s+llm/m);
    expect(run.stdout).toMatch(/^ok\s+database/m);
  });

  it('reports an invalid config as a failed check', async () => {
    const run = await doctor({ ENGRAM_EMBEDDER: 'nonsense' }, '--json');
    expect(run.code).toBe(1);
    const report = parseJson<DoctorReport>(run);
    expect(report.ok).toBe(false);
    expect(failed(report)).toEqual(['config']);
  });
});
