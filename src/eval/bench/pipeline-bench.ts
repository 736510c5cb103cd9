import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddResult } from '../../memory/api-types.js';
import { Memory } from '../../memory/memory.js';
import type { FakeOpenAIServer } from './fake-openai-server.js';
import { HashEmbedder } from './hash-embedder.js';
import { mean, round2 } from './latency-stats.js';
import type { Mem0Module } from './mem0-oss.js';
import { ScriptedChatModel } from './scripted-chat-model.js';
import { SCRIPTED_CONVERSATION, type ScriptedTurn, turnTime } from './scripted-conversation.js';
import { TimedEmbedder } from './timed-embedder.js';

export type ExtractionMode = 'two-pass' | 'single-pass';

export interface PipelineResult {
  system: 'engram' | 'mem0';
  /** engram's extraction mode; mem0 3.x has one ADD-only extraction call ("additive"). */
  mode: ExtractionMode | 'additive';
  /** engram with graph.enabled: entities and relations extracted and written with each add. */
  graph?: boolean;
  /** The graph's share of the tokens per add (AddResult.usage.parts.graph), and relations recorded. */
  graphTokensPerAdd?: { input: number; output: number; relations: number };
  transport: 'in-process' | 'http';
  turns: number;
  /** Measured adds: turns × repetitions (each repetition in a fresh scope, after one warm-up pass). */
  adds: number;
  llmCallsPerAdd: number;
  /** countTokens over the messages sent to the LLM, per add. */
  promptTokensPerAdd: number;
  /** Tokens of the JSON schema sent as response_format (HTTP only; 0 when none is sent). */
  schemaTokensPerAdd: number | null;
  completionTokensPerAdd: number;
  embedCallsPerAdd: number;
  /** Wall time of one add as the caller sees it. */
  totalMsPerAdd: number;
  /** Time inside the fakes (LLM and embedder, or the fake server's handlers). */
  fakeMsPerAdd: number;
  /** totalMsPerAdd − fakeMsPerAdd: what the memory layer itself costs. */
  overheadMsPerAdd: number;
  overheadMsP50: number;
  /** AddResult.usage.inputTokens per add (engram), to cross-check the fake's count. */
  reportedInputTokensPerAdd: number | null;
  events: Record<string, number>;
  /** Active memories in one scope after the conversation. */
  memoriesAfter: number;
}

export interface PipelineOptions {
  turns?: number;
  repetitions?: number;
}

function script(turns: number): readonly ScriptedTurn[] {
  return SCRIPTED_CONVERSATION.slice(0, Math.max(1, Math.min(turns, SCRIPTED_CONVERSATION.length)));
}

const messagesOf = (t: ScriptedTurn) => [
  { role: 'user', content: t.user },
  { role: 'assistant', content: t.assistant },
];

interface Counters {
  calls: number;
  promptTokens: number;
  schemaTokens: number | null;
  completionTokens: number;
  embedCalls: number;
}

interface Sample {
  ms: number;
  fakeMs: number;
}

function summarisePipeline(
  head: Pick<PipelineResult, 'system' | 'mode' | 'transport' | 'turns'>,
  samples: Sample[],
  counters: Counters,
  reportedInputTokens: number | null,
  events: Record<string, number>,
  memoriesAfter: number,
): PipelineResult {
  const n = samples.length;
  const overhead = samples.map((s) => s.ms - s.fakeMs).sort((a, b) => a - b);
  return {
    ...head,
    adds: n,
    llmCallsPerAdd: round2(counters.calls / n),
    promptTokensPerAdd: round2(counters.promptTokens / n),
    schemaTokensPerAdd: counters.schemaTokens === null ? null : round2(counters.schemaTokens / n),
    completionTokensPerAdd: round2(counters.completionTokens / n),
    embedCallsPerAdd: round2(counters.embedCalls / n),
    totalMsPerAdd: round2(mean(samples.map((s) => s.ms))),
    fakeMsPerAdd: round2(mean(samples.map((s) => s.fakeMs))),
    overheadMsPerAdd: round2(mean(overhead)),
    overheadMsP50: round2(overhead[Math.floor(n / 2)] ?? 0),
    reportedInputTokensPerAdd: reportedInputTokens === null ? null : round2(reportedInputTokens / n),
    events,
    memoriesAfter,
  };
}

function checkAdd(result: AddResult, who: string): void {
  if (result.errors?.length || result.status === 'pending') {
    throw new Error(`${who}: an add failed: ${JSON.stringify(result.errors ?? result.status)}`);
  }
}

/**
 * Replays the conversation: one warm-up pass (r = -1, not measured), then `repetitions` measured
 * passes in fresh scopes. `reset` zeroes the fakes' counters before the first measured pass;
 * `fakeMs` reads the time spent inside the fakes so far.
 */
async function replayEngram(
  memory: Memory,
  turns: ReturnType<typeof script>,
  repetitions: number,
  who: string,
  fakes: { reset: () => void; fakeMs: () => number },
): Promise<{
  samples: Sample[];
  reported: number;
  events: Record<string, number>;
  graph: { input: number; output: number; relations: number };
}> {
  const events: Record<string, number> = {};
  const samples: Sample[] = [];
  const graph = { input: 0, output: 0, relations: 0 };
  let reported = 0;
  for (let r = -1; r < repetitions; r++) {
    if (r === 0) fakes.reset();
    for (const [i, turn] of turns.entries()) {
      const fakeBefore = fakes.fakeMs();
      const t0 = performance.now();
      const result = await memory.add(messagesOf(turn), { userId: `conv-${r}`, eventTime: turnTime(i) });
      const ms = performance.now() - t0;
      checkAdd(result, who);
      if (r < 0) continue;
      samples.push({ ms, fakeMs: fakes.fakeMs() - fakeBefore });
      reported += result.usage.inputTokens;
      graph.input += result.usage.parts?.graph?.inputTokens ?? 0;
      graph.output += result.usage.parts?.graph?.outputTokens ?? 0;
      graph.relations += result.relations?.length ?? 0;
      for (const item of result.results) events[item.event] = (events[item.event] ?? 0) + 1;
    }
  }
  return { samples, reported, events, graph };
}

/** engram with the in-process scripted LLM and HashEmbedder: no transport at all. */
export async function benchEngramPipeline(
  mode: ExtractionMode,
  options: PipelineOptions = {},
  withGraph = false,
): Promise<PipelineResult> {
  const turns = script(options.turns ?? SCRIPTED_CONVERSATION.length);
  const repetitions = options.repetitions ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'engram-pipeline-'));
  const llm = new ScriptedChatModel();
  const embedder = new TimedEmbedder(new HashEmbedder(384));
  const memory = new Memory(
    {
      dbPath: join(dir, 'bench.db'),
      llm: null,
      embedder: null,
      extraction: { mode },
      graph: { enabled: withGraph },
    },
    { embedder, llm: [llm], env: {}, cwd: dir },
  );
  const who = `engram ${mode}${withGraph ? ' + graph' : ''}`;
  try {
    const { samples, reported, events, graph } = await replayEngram(memory, turns, repetitions, who, {
      reset: () => {
        Object.assign(llm, { calls: 0, inputTokens: 0, outputTokens: 0, ms: 0 });
        Object.assign(embedder, { calls: 0, ms: 0 });
      },
      fakeMs: () => llm.ms + embedder.ms,
    });
    const after = await memory.getAll({ userId: 'conv-0', limit: 1000 });
    const result = summarisePipeline(
      { system: 'engram', mode, transport: 'in-process', turns: turns.length },
      samples,
      {
        calls: llm.calls,
        promptTokens: llm.inputTokens,
        schemaTokens: null,
        completionTokens: llm.outputTokens,
        embedCalls: embedder.calls,
      },
      reported,
      events,
      after.total,
    );
    if (!withGraph) return result;
    const n = samples.length;
    return {
      ...result,
      graph: true,
      graphTokensPerAdd: {
        input: round2(graph.input / n),
        output: round2(graph.output / n),
        relations: round2(graph.relations / n),
      },
    };
  } finally {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** engram with the OpenAI provider pointed at the fake server: the side-by-side configuration. */
export async function benchEngramPipelineHttp(
  mode: ExtractionMode,
  server: FakeOpenAIServer,
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const turns = script(options.turns ?? SCRIPTED_CONVERSATION.length);
  const repetitions = options.repetitions ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'engram-pipeline-'));
  const target = { provider: 'openai', baseUrl: server.baseUrl, apiKey: 'test' };
  const memory = new Memory(
    {
      dbPath: join(dir, 'bench.db'),
      llm: { ...target, model: 'gpt-4o-mini' },
      embedder: { ...target, model: 'text-embedding-3-small' },
      extraction: { mode },
    },
    { env: {}, cwd: dir },
  );
  try {
    const { samples, reported, events } = await replayEngram(
      memory,
      turns,
      repetitions,
      `engram ${mode} over HTTP`,
      {
        reset: () => server.resetStats(),
        fakeMs: () => server.stats.handlerMs,
      },
    );
    const stats = server.stats;
    if (stats.errors > 0) throw new Error(`fake server rejected engram requests: ${stats.firstError}`);
    const after = await memory.getAll({ userId: 'conv-0', limit: 1000 });
    return summarisePipeline(
      { system: 'engram', mode, transport: 'http', turns: turns.length },
      samples,
      {
        calls: stats.chatCalls,
        promptTokens: stats.promptTokens,
        schemaTokens: stats.schemaTokens,
        completionTokens: stats.completionTokens,
        embedCalls: stats.embedCalls,
      },
      reported,
      events,
      after.total,
    );
  } finally {
    await memory.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** mem0ai/oss (inferred add, its default) against the same fake server and conversation. */
export async function benchMem0Pipeline(
  mem0: Mem0Module,
  server: FakeOpenAIServer,
  options: PipelineOptions = {},
): Promise<PipelineResult> {
  const turns = script(options.turns ?? SCRIPTED_CONVERSATION.length);
  const repetitions = options.repetitions ?? 3;
  const dir = mkdtempSync(join(tmpdir(), 'mem0-pipeline-'));
  const session = await mem0.open({ baseUrl: server.baseUrl, dir, dimensions: 384 });
  try {
    const events: Record<string, number> = {};
    const samples: Sample[] = [];
    for (let r = -1; r < repetitions; r++) {
      if (r === 0) server.resetStats();
      for (const turn of turns) {
        const fakeBefore = server.stats.handlerMs;
        const t0 = performance.now();
        const result = await session.memory.add(messagesOf(turn), { userId: `conv-${r}` });
        const ms = performance.now() - t0;
        if (r < 0) continue;
        samples.push({ ms, fakeMs: server.stats.handlerMs - fakeBefore });
        for (const item of result.results) {
          const event = item.metadata?.event ?? 'ADD';
          events[event] = (events[event] ?? 0) + 1;
        }
      }
    }
    const stats = server.stats;
    if (stats.errors > 0) throw new Error(`fake server rejected mem0 requests: ${stats.firstError}`);
    const after = await session.memory.getAll({ filters: { user_id: 'conv-0' }, topK: 1000 });
    return summarisePipeline(
      { system: 'mem0', mode: 'additive', transport: 'http', turns: turns.length },
      samples,
      {
        calls: stats.chatCalls,
        promptTokens: stats.promptTokens,
        schemaTokens: stats.schemaTokens,
        completionTokens: stats.completionTokens,
        embedCalls: stats.embedCalls,
      },
      null,
      events,
      after.results.length,
    );
  } finally {
    session.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
