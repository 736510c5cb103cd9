import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLocomoQa } from '../../src/eval/locomo/qa/run-locomo-qa.js';
import { createChatModel } from '../../src/providers/registry.js';
import { type FakeOllama, type OllamaChatBody, startFakeOllama } from '../support/fake-ollama.js';
import { fakeLlm, judgeFails, kindOf, SAMPLE } from './locomo-qa-fixture.js';

let fake: FakeOllama;
let dir: string;
let dataPath: string;

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 64 });
  fake.onChat(fakeLlm);
  dir = mkdtempSync(join(tmpdir(), 'engram-locomo-qa-'));
  dataPath = join(dir, 'sample.json');
  writeFileSync(dataPath, JSON.stringify(SAMPLE));
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

function options(outDir: string, resume = false) {
  const model = (name: string) =>
    createChatModel({ provider: 'ollama', model: name, baseUrl: fake.url, maxRetries: 0, timeoutMs: 5000 });
  return {
    dataPath,
    outDir,
    resume,
    includeAdversarial: true,
    concurrency: 2,
    tokenBudget: 300,
    config: {
      embedder: { provider: 'ollama', model: 'nomic-embed-text', baseUrl: fake.url, maxRetries: 0 },
      llm: { provider: 'ollama', model: 'llama3.2:3b', baseUrl: fake.url, maxRetries: 0, timeoutMs: 5000 },
    },
    env: {},
    answerModel: model('answerer:1b'),
    judgeModel: model('judge:8b'),
  };
}

const chatKinds = (from: number) =>
  fake
    .requestsTo('/api/chat')
    .slice(from)
    .map((r) => kindOf(r.body as OllamaChatBody));

describe('LoCoMo question answering, end to end against a fake Ollama', () => {
  it('ingests, answers, judges, reports, and resumes from its checkpoint', async () => {
    const outDir = join(dir, 'run');
    const progress: string[] = [];
    const report = await runLocomoQa({ ...options(outDir), onProgress: (line) => progress.push(line) });

    // Ingestion went through the inferred add, session by session.
    const first = chatKinds(0);
    expect(first.filter((k) => k === 'extract')).toHaveLength(2);
    expect(first.filter((k) => k === 'answer')).toHaveLength(5);
    expect(report.spend.ingestion.sessions).toBe(2);
    expect(report.spend.ingestion.llm_calls).toBeGreaterThanOrEqual(2);
    expect(report.spend.ingestion.input_tokens).toBeGreaterThan(0);
    expect(report.spend.answering.llm_calls).toBe(5);
    expect(report.spend.judging.llm_calls).toBeGreaterThan(0);

    // Shape and ranges.
    expect(report.benchmark).toBe('locomo-qa');
    expect(report.overall.questions).toBe(5);
    expect(report.overall.answered).toBe(5);
    expect(Object.keys(report.by_category).sort()).toEqual(['1', '2', '4', '5']);
    expect(report.categories['5']).toBe('adversarial');
    expect(report.settings.models.answer).toBe('ollama:answerer:1b');
    expect(report.judge.model).toBe('ollama:judge:8b');
    expect(report.settings.prompts.map((p) => p.id)).toEqual([
      'single-pass',
      'locomo-answer',
      'locomo-judge-lenient',
      'locomo-judge-strict',
    ]);
    for (const scores of [report.overall, ...Object.values(report.by_category)]) {
      for (const value of [scores.accuracy_lenient, scores.accuracy_strict]) {
        if (value !== null) expect(value).toBeGreaterThanOrEqual(0);
        if (value !== null) expect(value).toBeLessThanOrEqual(1);
      }
      // The share can pass 1 only because this conversation is tiny; on LoCoMo it is a few percent.
      expect(scores.context_share).toBeCloseTo(scores.context_tokens! / scores.conversation_tokens, 2);
      expect(scores.search_ms.p50!).toBeLessThanOrEqual(scores.search_ms.p95!);
      expect(scores.answer_ms.p50!).toBeLessThanOrEqual(scores.answer_ms.p95!);
    }
    expect(report.overall.f1).toBeGreaterThan(0);
    expect(report.overall.f1).toBeLessThanOrEqual(1);
    expect(report.overall.bleu1).toBeGreaterThan(0);
    expect(report.overall.bleu1).toBeLessThanOrEqual(1);
    expect(report.overall.context_tokens).toBeGreaterThan(0);
    expect(report.overall.context_tokens).toBeLessThanOrEqual(300);
    expect(report.overall.conversation_tokens).toBeGreaterThan(0);
    // The lenient fake judge says yes to everything judged; category 5 is graded by rule.
    expect(report.by_category['4']!.accuracy_lenient).toBe(1);
    expect(report.by_category['5']!.f1).toBeNull();

    // The strict judge's unusable reply is that question's error; the run went on.
    const instrument = report.questions.find((q) => q.question.includes('instrument'))!;
    expect(instrument.answer).not.toBeNull();
    expect(instrument.lenient).toBe(true);
    expect(instrument.strict).toBeNull();
    expect(instrument.errors).toEqual([
      { stage: 'judge-strict', message: expect.stringMatching(/llm_invalid_output/) },
    ]);
    expect(report.overall.errors).toBe(1);
    expect(report.overall.judged_strict).toBe(4);
    expect(report.overall.judged_lenient).toBe(5);

    // Files beside the checkpoint.
    for (const file of ['checkpoint.jsonl', 'report.json', 'report.md', 'accuracy.svg', 'latency.svg']) {
      expect(existsSync(join(outDir, file))).toBe(true);
    }
    expect(JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8'))).toEqual(report);
    const markdown = readFileSync(join(outDir, 'report.md'), 'utf8');
    expect(markdown).toMatch(/locomo-judge-strict@1/);
    expect(markdown).toMatch(/\| overall \| 5 \|/);
    expect(readFileSync(join(outDir, 'accuracy.svg'), 'utf8')).toMatch(
      /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    expect(progress.at(-1)).toMatch(/^questions 5\/5 \(100.0%\), 1 with errors, ETA/);

    // Resume with the judge fixed: only the failed judgement is redone.
    judgeFails.strictOnInstrument = false;
    const chatsBefore = fake.requestsTo('/api/chat').length;
    const embedsBefore = fake.requestsTo('/api/embed').length;
    const resumed = await runLocomoQa(options(outDir, true));
    expect(chatKinds(chatsBefore)).toEqual(['judge-strict']);
    expect(fake.requestsTo('/api/embed').length).toBe(embedsBefore);
    expect(resumed.overall.errors).toBe(0);
    expect(resumed.overall.judged_strict).toBe(5);
    expect(resumed.questions.find((q) => q.question.includes('instrument'))!.strict).not.toBeNull();
    expect(resumed.spend.answering).toEqual(report.spend.answering);

    // A finished run resumes with no LLM work at all.
    const chatsAfter = fake.requestsTo('/api/chat').length;
    await runLocomoQa(options(outDir, true));
    expect(fake.requestsTo('/api/chat').length).toBe(chatsAfter);
  }, 60_000);

  it('refuses to overwrite a run, and to resume one with other settings', async () => {
    const outDir = join(dir, 'run');
    await expect(runLocomoQa(options(outDir))).rejects.toThrow(/--resume/);
    await expect(runLocomoQa({ ...options(outDir, true), tokenBudget: 999 })).rejects.toThrow(/token_budget/);
  });
});
