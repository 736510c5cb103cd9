import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ObserveBenchReport, runObserveBench } from '../../src/eval/bench/observe-bench.js';
import { observationMarkdown } from '../../src/eval/bench/observe-markdown.js';

// The dataset is licensed for evaluation only and lives outside the repository.
const DATA = resolve(process.cwd(), '../shared/data/locomo/locomo10.json');

/**
 * A conversation in LoCoMo's shape, written for this test: 3 sessions of 20 turns, every third turn
 * annotated with an observation, one "lol" (screened out) that is an observation's only source, and
 * one observation naming a turn that does not exist.
 */
function fixture(): unknown[] {
  const conversation: Record<string, unknown> = { speaker_a: 'Ana', speaker_b: 'Bob' };
  const observation: Record<string, Record<string, [string, string][]>> = {};
  for (let s = 1; s <= 3; s++) {
    conversation[`session_${s}_date_time`] = `10:00 am on ${s + 2} March, 2023`;
    const notes: Record<string, [string, string][]> = { Ana: [], Bob: [] };
    conversation[`session_${s}`] = Array.from({ length: 20 }, (_, i) => {
      const speaker = i % 2 === 0 ? 'Ana' : 'Bob';
      const dia = `D${s}:${i + 1}`;
      if (s === 2 && i === 4) {
        notes.Ana!.push(['Ana laughed once.', dia]);
        return { speaker, dia_id: dia, text: 'lol' };
      }
      if (i % 3 === 0) notes[speaker]!.push([`${speaker} mentioned hobby ${s}-${i}.`, dia]);
      return { speaker, dia_id: dia, text: `I have been practising hobby ${s}-${i} every morning.` };
    });
    observation[`session_${s}_observation`] = notes;
  }
  observation.session_3_observation!.Bob!.push(['Bob said something nobody heard.', 'D9:99']);
  return [{ sample_id: 'conv-fixture', conversation, observation, qa: [] }];
}

function checkShape(report: ObserveBenchReport, windowMessages: number): void {
  const [w] = report.windows;
  expect(report.windows).toHaveLength(1);
  expect(w?.windowMessages).toBe(windowMessages);
  // Windows cut the calls and the prompt tokens; nothing is lost; every fact lands with its speaker.
  expect(report.perMessage.per1000.llmCalls).toBe(1000);
  expect(w!.per1000.llmCalls * 10).toBeLessThanOrEqual(report.perMessage.per1000.llmCalls);
  expect(w!.per1000.promptTokens * 3).toBeLessThanOrEqual(report.perMessage.per1000.promptTokens);
  expect(w).toMatchObject({ replayed: 60, logged: 60, taken: 60, leftAfterCursor: 0, usageAgrees: true });
  expect(w!.attribution.wrongScope).toBe(0);
  expect(w!.attribution.rightScope).toBe(w!.attribution.extractable);
  expect(report.timed).toHaveLength(1);
  expect(report.timed[0]!.messagesPerCall).toBeGreaterThan(1);
  expect(report.simulation.results.map((r) => `${r.load.messagesPerDay} ${r.mode}`)).toEqual([
    '10000 per-message',
    `10000 windows of ${windowMessages}`,
    '100000 per-message',
    `100000 windows of ${windowMessages}`,
  ]);
  // 2 s a call, one worker: per-message extraction cannot keep up with 100,000 messages a day.
  expect(report.simulation.results[2]).toMatchObject({ grows: true });
  expect(report.simulation.results[3]).toMatchObject({ grows: false });
  expect(report.dayCosts).toHaveLength(4);

  const markdown = observationMarkdown(report, 'npm run bench:observe -- --turns 60');
  for (const heading of [
    '## Targets',
    '## Cost per 1,000 messages (measured)',
    '## Attribution and lost messages (measured)',
    '## Queue lag under load (SIMULATED)',
    '## A day of messages',
  ]) {
    expect(markdown).toContain(heading);
  }
  expect(markdown).toContain('**Simulated, not measured**');
  expect(markdown.match(/^- \*\*(PASS|FAIL)\*\*/gm)).toHaveLength(5);
  expect(markdown).toContain(`**PASS** — windows of ${windowMessages}: LLM calls ≤ 1/10`);
}

describe('npm run bench:observe harness', () => {
  const dir = mkdtempSync(join(tmpdir(), 'observe-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('replays a LoCoMo-shaped conversation per message and in windows, and renders the report', async () => {
    const path = join(dir, 'locomo-fixture.json');
    writeFileSync(path, JSON.stringify(fixture()));
    const report = await runObserveBench({ dataPath: path, windows: [20] });
    checkShape(report, 20);
    expect(report.dataset).toMatchObject({ conversations: ['conv-fixture'], messages: 60 });
    const a = report.windows[0]!.attribution;
    // 21 annotated turns + the "lol" one; the "lol" is screened, the D9:99 one is unanchored.
    expect(a).toMatchObject({
      reference: 22,
      screenedOut: 1,
      extractable: 21,
      rightScope: 21,
      unanchored: 1,
    });
    expect(a.sourcesRight).toBe(21);
    expect(report.windows[0]!.skippedBy).toEqual({ chatter: 1 });
  }, 60_000);

  it.skipIf(!existsSync(DATA))(
    'runs on the first 60 turns of one LoCoMo conversation',
    async () => {
      const report = await runObserveBench({ dataPath: DATA, windows: [20], conversations: 1, turns: 60 });
      checkShape(report, 20);
      expect(report.dataset).toMatchObject({
        conversations: ['conv-26'],
        messages: 60,
        turnsPerConversation: 60,
      });
      expect(report.windows[0]!.attribution.extractable).toBeGreaterThan(0);
    },
    60_000,
  );
});
