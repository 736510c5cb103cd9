import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ObserveConfig } from '../../config/engram-config.js';
import { IngestWorker } from '../../ingest/ingest-worker.js';
import { Memory } from '../../memory/memory.js';
import { readCursor } from '../../memory/observe/channel-state.js';
import { channelScope } from '../../memory/observe/observe-messages.js';
import { compileRules, type SkipReason } from '../../memory/observe/screen-message.js';
import { HashEmbedder } from './hash-embedder.js';
import { round2 } from './latency-stats.js';
import { type AttributionCheck, checkAttribution } from './observe-attribution.js';
import type { ObservedChannel } from './observe-channels.js';
import { ReferenceChatModel } from './reference-chat-model.js';
import type { WindowReference } from './scripted-answers.js';
import { TimedEmbedder } from './timed-embedder.js';

/** What a replay cost: counted by the scripted model and the embedder, and per 1,000 messages. */
export interface ReplayCost {
  messages: number;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  embedCalls: number;
  per1000: { llmCalls: number; promptTokens: number; completionTokens: number; embedCalls: number };
  /** Wall time of the replay (the fakes answer at once: this is engram's own time). */
  seconds: number;
}

export interface PerMessageRun extends ReplayCost {
  mode: 'per-message';
  /** Active memories written, all scopes. */
  memories: number;
}

export interface WindowRun extends ReplayCost {
  mode: 'windows';
  windowMessages: number;
  /** Windows run (from memory.observation.usage) and the messages they took. */
  windows: number;
  messagesPerWindow: number;
  /** Sent to memory.observe, logged by it, taken by windows, and left after the channels' cursors at the end. */
  replayed: number;
  logged: number;
  taken: number;
  leftAfterCursor: number;
  /** Messages screened out before the LLM, by rule (they stay in the log). */
  skipped: number;
  skippedBy: Partial<Record<SkipReason, number>>;
  /** Facts the windows added. */
  facts: number;
  /** memory.observation.usage agrees with the scripted model's own count of calls and tokens. */
  usageAgrees: boolean;
  attribution: AttributionCheck;
}

interface BenchMemory {
  memory: Memory;
  llm: ReferenceChatModel;
  embedder: TimedEmbedder;
  setClock(iso: string): void;
  close(): Promise<void>;
}

/** A Memory over a temp SQLite file with the scripted model, the hash embedder and a settable clock. */
function openBenchMemory(reference: WindowReference, observe: Partial<ObserveConfig> = {}): BenchMemory {
  const dir = mkdtempSync(join(tmpdir(), 'engram-observe-'));
  const llm = new ReferenceChatModel(reference);
  const embedder = new TimedEmbedder(new HashEmbedder(384));
  let clock = Date.parse('2020-01-01T00:00:00.000Z');
  const memory = new Memory(
    {
      dbPath: join(dir, 'bench.db'),
      llm: null,
      embedder: null,
      extraction: { mode: 'single-pass' },
      observe,
    },
    { embedder, llm: [llm], env: {}, cwd: dir, now: () => new Date(clock) },
  );
  return {
    memory,
    llm,
    embedder,
    setClock: (iso) => {
      clock = Date.parse(iso);
    },
    close: async () => {
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function costOf(
  messages: number,
  llm: ReferenceChatModel,
  embedder: TimedEmbedder,
  started: number,
): ReplayCost {
  const per = (v: number) => round2((v / Math.max(1, messages)) * 1000);
  return {
    messages,
    llmCalls: llm.calls,
    promptTokens: llm.inputTokens,
    completionTokens: llm.outputTokens,
    embedCalls: embedder.calls,
    per1000: {
      llmCalls: per(llm.calls),
      promptTokens: per(llm.inputTokens),
      completionTokens: per(llm.outputTokens),
      embedCalls: per(embedder.calls),
    },
    seconds: round2((performance.now() - started) / 1000),
  };
}

/**
 * Per-message extraction: every message is one inferred `memory.add` (single-pass, the normal
 * pipeline) in its speaker's scope within the channel's run. The message goes in without its
 * speaker's name, as a user turn: the scripted model reads "user:" lines.
 */
export async function replayPerMessage(
  channels: readonly ObservedChannel[],
  reference: WindowReference,
): Promise<PerMessageRun> {
  const bench = openBenchMemory(reference);
  const started = performance.now();
  try {
    let messages = 0;
    for (const c of channels) {
      for (const m of c.messages) {
        bench.setClock(m.time);
        const result = await bench.memory.add([{ role: 'user', content: m.content }], {
          userId: m.speakerId,
          runId: c.channel,
          eventTime: m.time,
        });
        if (result.errors?.length)
          throw new Error(`per-message add failed: ${JSON.stringify(result.errors)}`);
        messages++;
      }
    }
    const cost = costOf(messages, bench.llm, bench.embedder, started);
    const stats = await bench.memory.stats();
    return { mode: 'per-message', ...cost, memories: stats.memories };
  } finally {
    await bench.close();
  }
}

/**
 * Windows of `windowMessages`: each message goes through `memory.observe` at its own time; when a
 * window is due (enough messages wait) the ingest worker drains the queue, as a server's would. The
 * timer is set past the replay's span so windows close on count (LoCoMo's turns are a minute
 * apart: a 10-minute timer would cut every window at 10); the channel's last, partial window is
 * run at the end with `memory.observation.runWindow`.
 */
export async function replayWindows(
  channels: readonly ObservedChannel[],
  reference: WindowReference,
  windowMessages: number,
): Promise<WindowRun> {
  const observe = { windowMessages, windowMinutes: 20_000_000 };
  const bench = openBenchMemory(reference, observe);
  const { memory } = bench;
  const worker = new IngestWorker(memory, { concurrency: 1 });
  const screen = compileRules(memory.config.observe);
  const started = performance.now();
  try {
    let logged = 0;
    let replayed = 0;
    let lastTime = '';
    for (const c of channels) {
      let pending = 0;
      for (const m of c.messages) {
        bench.setClock(m.time);
        const result = await memory.observe([m], { channelId: c.channel });
        replayed++;
        logged += result.logged;
        if (m.time > lastTime) lastTime = m.time;
        pending = result.pending;
        if (result.window_due_at !== null && Date.parse(result.window_due_at) <= Date.parse(m.time)) {
          await worker.drain();
          pending = 0;
        }
      }
      for (let more = pending > 0; more; ) more = (await memory.observation.runWindow(c.channel)).more;
    }
    const cost = costOf(logged, bench.llm, bench.embedder, started);
    // usage() reads the days up to the engine's today: the latest day of any channel.
    bench.setClock(lastTime);
    const totals = { windows: 0, messages: 0, skipped: 0, facts: 0, llmCalls: 0, inputTokens: 0 };
    let leftAfterCursor = 0;
    const store = await memory.store();
    for (const c of channels) {
      const usage = await memory.observation.usage(c.channel, { since: c.messages[0]?.time });
      for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += usage.total[key];
      const cursor = await readCursor(store, memory.tenant, c.channel);
      leftAfterCursor += (
        await store.messagesAfter(channelScope(memory.tenant, c.channel), cursor.after, 1000)
      ).length;
    }
    const skippedBy: Partial<Record<SkipReason, number>> = {};
    const screenedOut = new Set<string>();
    for (const c of channels) {
      for (const m of c.messages) {
        const reason = screen(m);
        if (!reason) continue;
        skippedBy[reason] = (skippedBy[reason] ?? 0) + 1;
        screenedOut.add(`${c.channel}\u001f${m.id}`);
      }
    }
    return {
      mode: 'windows',
      windowMessages,
      ...cost,
      replayed,
      windows: totals.windows,
      messagesPerWindow: round2(totals.messages / Math.max(1, totals.windows)),
      logged,
      taken: totals.messages,
      leftAfterCursor,
      skipped: totals.skipped,
      skippedBy,
      facts: totals.facts,
      usageAgrees: totals.llmCalls === bench.llm.calls && totals.inputTokens === bench.llm.inputTokens,
      attribution: await checkAttribution(memory, channels, screenedOut),
    };
  } finally {
    await worker.stop();
    await bench.close();
  }
}

/** Windows as the real triggers cut them when messages arrive at a steady rate. */
export interface TimedWindowRun {
  windowMessages: number;
  windowMinutes: number;
  messagesPerDay: number;
  /** Messages taken by windows (the last partial window of the run is not flushed). */
  taken: number;
  windows: number;
  llmCalls: number;
  messagesPerCall: number;
}

/**
 * The channels' messages, one channel after another, each arriving `86,400 / messagesPerDay` s
 * after the previous one on the engine's clock, with the default `windowMinutes`; the worker runs
 * every job as soon as it is due (it takes no time: this measures where the triggers cut windows,
 * not lag). The scripted model answers windows with no facts.
 */
export async function replayTimedWindows(
  channels: readonly ObservedChannel[],
  windowMessages: number,
  messagesPerDay: number,
): Promise<TimedWindowRun> {
  const bench = openBenchMemory({ factsAt: () => [] }, { windowMessages });
  const { memory } = bench;
  const worker = new IngestWorker(memory, { concurrency: 1 });
  const start = Date.parse(channels[0]?.messages[0]?.time ?? '2023-01-01T00:00:00.000Z');
  const interval = (86_400 / messagesPerDay) * 1000;
  try {
    let i = 0;
    for (const c of channels) {
      for (const m of c.messages) {
        const time = new Date(start + i++ * interval).toISOString();
        bench.setClock(time);
        await worker.drain();
        await memory.observe([{ ...m, time }], { channelId: c.channel });
      }
    }
    await worker.drain();
    let taken = 0;
    let windows = 0;
    for (const c of channels) {
      const usage = await memory.observation.usage(c.channel, { since: new Date(start).toISOString() });
      taken += usage.total.messages;
      windows += usage.total.windows;
    }
    return {
      windowMessages,
      windowMinutes: memory.config.observe.windowMinutes,
      messagesPerDay,
      taken,
      windows,
      llmCalls: bench.llm.calls,
      messagesPerCall: round2(taken / Math.max(1, bench.llm.calls)),
    };
  } finally {
    await worker.stop();
    await bench.close();
  }
}

/**
 * The same platform message id in two channels (Telegram numbers messages per chat, Slack's ts is
 * per channel): how many messages each channel's `memory.observe` logged (1 and 1 when ids are
 * kept per channel).
 */
export async function sharedIdProbe(): Promise<{ first: number; second: number }> {
  const bench = openBenchMemory({ factsAt: () => [] });
  try {
    const message = {
      id: '1',
      speakerId: 'ana',
      content: 'I adopted a greyhound called Pixel',
      time: '2023-05-08T13:56:00.000Z',
    };
    const first = await bench.memory.observe([message], { channelId: 'probe-a' });
    const second = await bench.memory.observe([message], { channelId: 'probe-b' });
    return { first: first.logged, second: second.logged };
  } finally {
    await bench.close();
  }
}
