import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { LocomoQaReport } from '../../src/eval/locomo/qa/qa-report.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';
import { fakeLlm, judgeFails, SAMPLE } from './locomo-qa-fixture.js';

let fake: FakeOllama;
let dir: string;

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 32 });
  fake.onChat(fakeLlm);
  judgeFails.strictOnInstrument = false;
  dir = mkdtempSync(join(tmpdir(), 'engram-locomo-cli-'));
  writeFileSync(join(dir, 'sample.json'), JSON.stringify(SAMPLE));
});

afterAll(async () => {
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function engram(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'engram', ...argv], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: {
      ENGRAM_LLM: 'ollama:llama3.2:3b',
      ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
      OLLAMA_BASE_URL: fake.url,
    },
    cwd: dir,
  });
  return { code, stdout, stderr };
}

describe('engram eval locomo (QA mode)', () => {
  it('runs from the command line, writes the report folder and resumes', async () => {
    const run = await engram(
      'eval',
      'locomo',
      '--data',
      'sample.json',
      '--limit',
      '3',
      '--ingest',
      'both',
      '--judge-model',
      'ollama:judge:8b',
      '--out',
      'out',
    );
    expect(run.stderr).toMatch(/engram: questions 3\/3 \(100.0%\)/);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^# LoCoMo question answering/);
    expect(run.stdout).toMatch(/Answer model: ollama:llama3\.2:3b\. Judge model: ollama:judge:8b\./);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')) as LocomoQaReport;
    expect(report.settings.ingest).toBe('both');
    expect(report.overall.questions).toBe(3);
    expect(report.spend.ingestion.embed_calls).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'out', 'accuracy.svg'))).toBe(true);

    const chats = fake.requestsTo('/api/chat').length;
    const resumed = await engram('eval', 'locomo', '--data', 'sample.json', '--resume', 'out', '--json');
    expect(resumed.code).toBe(0);
    expect(fake.requestsTo('/api/chat').length).toBe(chats);
    const again = JSON.parse(resumed.stdout) as LocomoQaReport;
    expect(again.settings).toEqual(report.settings);
    expect(again.overall.accuracy_lenient).toBe(report.overall.accuracy_lenient);

    const conflicting = await engram(
      'eval',
      'locomo',
      '--data',
      'sample.json',
      '--resume',
      'out',
      '--ingest',
      'raw',
    );
    expect(conflicting.code).not.toBe(0);
    expect(conflicting.stderr).toMatch(/ingest/);
  }, 60_000);

  it('rejects an unknown ingest mode', async () => {
    const run = await engram('eval', 'locomo', '--data', 'sample.json', '--ingest', 'everything');
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--ingest must be one of inferred, raw, both/);
  });
});
