import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/eval/bench/fake-openai-server.js';
import { loadMem0, type Mem0Session, mem0OssConfig } from '../../src/eval/bench/mem0-oss.js';
import { Memory } from '../../src/mem0/index.js';
import { DOCUMENTED_DIFFERENCES } from './documented-differences.js';
import { type Mem0Like, SEQUENCE, type Step } from './mem0-sequence.js';
import { type ShapeOptions, shapeDifferences } from './shape-diff.js';

const DIMENSIONS = 384;

/** The config both run from: mem0ai/oss's own config object, given to each unchanged. */
const mem0Config = (baseUrl: string, dir: string) => mem0OssConfig(baseUrl, dir, DIMENSIONS);

type Outcome = { threw: true; message: string } | { threw: false; value: unknown };

async function runSequence(memory: Mem0Like): Promise<Map<string, Outcome>> {
  const ids = new Map<string, string>();
  const outcomes = new Map<string, Outcome>();
  for (const step of SEQUENCE) {
    try {
      outcomes.set(step.name, { threw: false, value: await step.run(memory, ids) });
    } catch (error) {
      outcomes.set(step.name, {
        threw: true,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return outcomes;
}

function optionsFor(step: Step): ShapeOptions {
  const texts = step.texts === false ? [] : ['memory', 'previousMemory', 'previous_value', 'new_value'];
  return {
    valueKeys: new Set(['event', 'message', 'action', 'is_deleted', ...texts]),
    opaqueKeys: new Set(['score_details']),
  };
}

function describeOutcome(outcome: Outcome | undefined): string {
  if (!outcome) return 'not run';
  return outcome.threw ? 'throws' : 'returns';
}

/** `<step> | <path>: mem0 …; engram …` for every difference of the two runs. */
function differences(mem0: Map<string, Outcome>, engram: Map<string, Outcome>): string[] {
  const found: string[] = [];
  for (const step of SEQUENCE) {
    const a = mem0.get(step.name);
    const b = engram.get(step.name);
    const outcomes = `mem0 ${describeOutcome(a)}; engram ${describeOutcome(b)}`;
    if (step.compare === 'outcome') {
      if (describeOutcome(a) !== describeOutcome(b)) found.push(`${step.name} | (outcome): ${outcomes}`);
      continue;
    }
    // A step compared by shape must return on both sides; a throw is a difference in itself.
    if (a?.threw || b?.threw) {
      found.push(`${step.name} | (outcome): ${outcomes}`);
      continue;
    }
    const value = (o: Outcome | undefined) => (o && !o.threw ? o.value : undefined);
    for (const line of shapeDifferences(value(a), value(b), optionsFor(step)))
      found.push(`${step.name} | ${line}`);
  }
  return found;
}

describe('engram/mem0 against mem0ai/oss, one sequence of calls, one fake OpenAI server', () => {
  let dir: string;
  let server: FakeOpenAIServer;
  let session: Mem0Session;
  let facade: Memory;
  let mem0Run: Map<string, Outcome>;
  let engramRun: Map<string, Outcome>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'engram-mem0-facade-'));
    server = await startFakeOpenAIServer({ dimensions: DIMENSIONS });
    const mem0 = await loadMem0(join(dir, 'mem0-state'));
    mkdirSync(join(dir, 'mem0'));
    mkdirSync(join(dir, 'engram'));
    session = await mem0.open({ baseUrl: server.baseUrl, dir: join(dir, 'mem0'), dimensions: DIMENSIONS });
    facade = new Memory(
      { ...mem0Config(server.baseUrl, join(dir, 'engram')) },
      { env: {}, cwd: join(dir, 'engram') },
    );
    mem0Run = await runSequence(session.memory as unknown as Mem0Like);
    engramRun = await runSequence(facade as unknown as Mem0Like);
  }, 120_000);

  afterAll(async () => {
    await facade?.close();
    session?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers every call of the sequence', () => {
    expect(server.stats.errors, server.stats.firstError ?? '').toBe(0);
    expect([...engramRun.keys()]).toEqual(SEQUENCE.map((s) => s.name));
  });

  it('refuses what mem0ai/oss refuses, apart from the documented two', () => {
    const refusals = SEQUENCE.filter((s) => s.compare === 'outcome').map((s) => s.name);
    const bothThrow = refusals.filter((name) => mem0Run.get(name)?.threw && engramRun.get(name)?.threw);
    expect(refusals.filter((name) => !bothThrow.includes(name))).toEqual(['add timestamp', 'search rerank']);
  });

  it('differs from mem0ai/oss only where docs/mem0-compatibility.md says so', () => {
    const found = differences(mem0Run, engramRun);
    expect(found).toEqual(DOCUMENTED_DIFFERENCES.map((d) => d.difference));
  });
});
