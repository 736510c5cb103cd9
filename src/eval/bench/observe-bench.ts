import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../../config/load-config.js';
import { estimateCost, type ModelPrice, priceOf } from '../../memory/observe/prices.js';
import { countTokens } from '../../util/token-count.js';
import { loadLocomo } from '../locomo/locomo-dataset.js';
import { loadLocomoObservations } from '../locomo/locomo-observations.js';
import { mean, round2 } from './latency-stats.js';
import { observedChannels, windowReference } from './observe-channels.js';
import { observationMarkdown } from './observe-markdown.js';
import {
  type PerMessageRun,
  replayPerMessage,
  replayTimedWindows,
  replayWindows,
  sharedIdProbe,
  type TimedWindowRun,
  type WindowRun,
} from './observe-replay.js';
import { type LagLoad, type LagResult, simulateQueueLag } from './queue-lag-simulation.js';

export const DEFAULT_LOCOMO_DATA = '../shared/data/locomo/locomo10.json';

export interface ObserveBenchOptions {
  /** locomo10.json (CC BY-NC: read where it lies, never copied into the repository). */
  dataPath: string;
  /** Window sizes (windowMessages) to replay. */
  windows: number[];
  /** The first n conversations (default all) and the first n turns of each (default all). */
  conversations?: number | undefined;
  turns?: number | undefined;
  log?: (line: string) => void;
}

/** The simulated LLM: every call takes this long (a small local model on one GPU, roughly). */
export const SECONDS_PER_CALL = 2;
export const HOSTED_MODEL = 'openai:gpt-4o-mini';
export const LOADS: readonly LagLoad[] = [
  { messagesPerDay: 10_000, channels: 1 },
  { messagesPerDay: 100_000, channels: 10 },
];
/** The issue's targets: windows against per-message extraction. */
export const CALLS_TARGET = 1 / 10;
export const PROMPT_TOKENS_TARGET = 1 / 3;

export interface DayCost {
  load: LagLoad;
  mode: string;
  llmCalls: number;
  promptTokens: number;
  completionTokens: number;
  /** LLM time a day at SECONDS_PER_CALL, in hours (a local model: price 0). */
  localHours: number;
  /** US dollars a day at the hosted model's price. */
  hostedUsd: number;
}

export interface Target {
  name: string;
  /** null: not about one window size. */
  windowMessages: number | null;
  measured: string;
  pass: boolean;
}

export interface ObserveBenchReport {
  generatedAt: string;
  durationSeconds: number;
  dataset: {
    conversations: string[];
    messages: number;
    referenceFacts: number;
    turnsPerConversation: number | null;
  };
  perMessage: PerMessageRun;
  windows: WindowRun[];
  /** Windows as the default timer and the count cut them at one channel's share of the loads. */
  timed: TimedWindowRun[];
  /** Messages logged by each of two channels observing the same message id (sharedIdProbe). */
  sharedIds: { first: number; second: number };
  simulation: {
    secondsPerCall: number;
    windowMinutes: number;
    maxWindowTokens: number;
    /** Mean tokens per message as the window budget counts them (text + 8). */
    messageTokens: number;
    maxMessagesPerWindow: number;
    results: LagResult[];
  };
  hosted: { model: string; price: ModelPrice };
  dayCosts: DayCost[];
  targets: Target[];
}

/**
 * `npm run bench:observe`: LoCoMo's conversations as channels, extracted per message and in
 * windows (calls, tokens, attribution against the annotated observations, lost messages), the
 * windows the real triggers cut at 10,000 messages a day per channel, and a simulated queue at
 * 10,000 and 100,000 messages a day. Writes docs/benchmarks/observation.md, which
 * docs/observation.md quotes.
 */
export async function runObserveBench(options: ObserveBenchOptions): Promise<ObserveBenchReport> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const conversations = (await loadLocomo(options.dataPath)).slice(0, options.conversations ?? undefined);
  const channels = observedChannels(
    conversations,
    await loadLocomoObservations(options.dataPath),
    options.turns ?? Number.POSITIVE_INFINITY,
  );
  const reference = windowReference(channels);
  const messages = channels.reduce((n, c) => n + c.messages.length, 0);
  log(`observe bench: ${channels.length} channels, ${messages} messages; per-message extraction`);
  const perMessage = await replayPerMessage(channels, reference);
  const windows: WindowRun[] = [];
  for (const size of options.windows) {
    log(`observe bench: windows of ${size}`);
    windows.push(await replayWindows(channels, reference, size));
  }

  const perChannel = (LOADS[0]?.messagesPerDay ?? 10_000) / (LOADS[0]?.channels ?? 1);
  const timed: TimedWindowRun[] = [];
  for (const size of options.windows) {
    log(`observe bench: windows of ${size} at ${perChannel} messages/day per channel, default timer`);
    timed.push(await replayTimedWindows(channels, size, perChannel));
  }
  const sharedIds = await sharedIdProbe();
  const defaults = loadConfig({ llm: null, embedder: null }, { env: {}, cwd: tmpdir() }).observe;
  const messageTokens = mean(channels.flatMap((c) => c.messages.map((m) => countTokens(m.content) + 8)));
  const maxMessagesPerWindow = Math.max(1, Math.floor(defaults.maxWindowTokens / messageTokens));
  log('observe bench: queue lag, simulated');
  const results: LagResult[] = [];
  for (const load of LOADS) {
    results.push(
      simulateQueueLag(
        load,
        { kind: 'per-message', callsPerMessage: perMessage.llmCalls / perMessage.messages },
        SECONDS_PER_CALL,
      ),
    );
    for (const w of windows) {
      results.push(
        simulateQueueLag(
          load,
          {
            kind: 'windows',
            windowMessages: w.windowMessages,
            callsPerWindow: w.llmCalls / Math.max(1, w.windows),
            windowMinutes: defaults.windowMinutes,
            maxMessagesPerWindow,
          },
          SECONDS_PER_CALL,
        ),
      );
    }
  }
  const price = priceOf(HOSTED_MODEL, {});
  if (!price) throw new Error(`no built-in price for ${HOSTED_MODEL}`);
  return {
    generatedAt: new Date().toISOString(),
    durationSeconds: Math.round((performance.now() - started) / 1000),
    dataset: {
      conversations: channels.map((c) => c.channel),
      messages,
      referenceFacts: channels.reduce((n, c) => n + c.reference.length, 0),
      turnsPerConversation: options.turns ?? null,
    },
    perMessage,
    windows,
    timed,
    sharedIds,
    simulation: {
      secondsPerCall: SECONDS_PER_CALL,
      windowMinutes: defaults.windowMinutes,
      maxWindowTokens: defaults.maxWindowTokens,
      messageTokens: round2(messageTokens),
      maxMessagesPerWindow,
      results,
    },
    hosted: { model: HOSTED_MODEL, price },
    dayCosts: dayCosts(perMessage, windows),
    targets: targets(perMessage, windows, sharedIds),
  };
}

/** A day of each load from the measured per-1,000-message figures. */
function dayCosts(perMessage: PerMessageRun, windows: WindowRun[]): DayCost[] {
  const out: DayCost[] = [];
  for (const load of LOADS) {
    for (const run of [perMessage, ...windows]) {
      const k = load.messagesPerDay / 1000;
      const llmCalls = Math.round(run.per1000.llmCalls * k);
      const promptTokens = Math.round(run.per1000.promptTokens * k);
      const completionTokens = Math.round(run.per1000.completionTokens * k);
      const hosted = estimateCost(
        HOSTED_MODEL,
        { inputTokens: promptTokens, outputTokens: completionTokens },
        {},
      );
      out.push({
        load,
        mode: run.mode === 'per-message' ? 'per-message' : `windows of ${run.windowMessages}`,
        llmCalls,
        promptTokens,
        completionTokens,
        localHours: round2((llmCalls * SECONDS_PER_CALL) / 3600),
        hostedUsd: Math.round((hosted?.usd ?? 0) * 100) / 100,
      });
    }
  }
  return out;
}

function targets(
  perMessage: PerMessageRun,
  windows: WindowRun[],
  sharedIds: ObserveBenchReport['sharedIds'],
): Target[] {
  const ratio = (a: number, b: number) => (b === 0 ? Number.POSITIVE_INFINITY : a / b);
  const perWindow = windows.flatMap((w) => {
    const calls = ratio(w.per1000.llmCalls, perMessage.per1000.llmCalls);
    const tokens = ratio(w.per1000.promptTokens, perMessage.per1000.promptTokens);
    const a = w.attribution;
    return [
      {
        name: 'LLM calls ≤ 1/10 of per-message extraction',
        windowMessages: w.windowMessages,
        measured: `${round2(w.per1000.llmCalls)} vs ${round2(perMessage.per1000.llmCalls)} per 1,000 messages (${ratio3(calls)}×)`,
        pass: calls <= CALLS_TARGET,
      },
      {
        name: 'prompt tokens ≤ 1/3 of per-message extraction',
        windowMessages: w.windowMessages,
        measured: `${round2(w.per1000.promptTokens)} vs ${round2(perMessage.per1000.promptTokens)} per 1,000 messages (${ratio3(tokens)}×)`,
        pass: tokens <= PROMPT_TOKENS_TARGET,
      },
      {
        name: 'no message lost',
        windowMessages: w.windowMessages,
        measured: `${w.replayed} observed, ${w.logged} logged, ${w.taken} taken by ${w.windows} windows, ${w.leftAfterCursor} left after the cursors`,
        pass: w.replayed === w.logged && w.logged === w.taken && w.leftAfterCursor === 0,
      },
      {
        name: "attribution kept (every extractable reference fact in its speaker's scope, none in another's)",
        windowMessages: w.windowMessages,
        measured: `${a.rightScope} / ${a.extractable} in the right scope, ${a.wrongScope} in a wrong one, ${a.missing} missing`,
        pass: a.rightScope === a.extractable && a.wrongScope === 0,
      },
    ];
  });
  return [
    ...perWindow,
    {
      name: 'no message lost when two channels use the same message id (Telegram, Slack ids are per chat)',
      windowMessages: null,
      measured: `the same id observed in two channels: ${sharedIds.first} logged in the first, ${sharedIds.second} in the second`,
      pass: sharedIds.first === 1 && sharedIds.second === 1,
    },
  ];
}

const ratio3 = (v: number) => (Number.isFinite(v) ? String(Math.round(v * 1000) / 1000) : '∞');

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const windows = (flag('--windows') ?? '20,50,100').split(',').map(Number);
  if (windows.some((w) => !Number.isInteger(w) || w <= 0)) {
    throw new Error('--windows takes positive whole numbers separated by commas, e.g. 20,50,100');
  }
  const out = flag('--out') ?? 'docs/benchmarks/observation.md';
  const args = process.argv.slice(2).join(' ');
  const report = await runObserveBench({
    dataPath: flag('--data') ?? DEFAULT_LOCOMO_DATA,
    windows,
    conversations: flag('--conversations') ? Number(flag('--conversations')) : undefined,
    turns: flag('--turns') ? Number(flag('--turns')) : undefined,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const markdown = observationMarkdown(report, `npm run bench:observe${args ? ` -- ${args}` : ''}`);
  process.stdout.write(markdown);
  if (!process.argv.includes('--no-write')) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, markdown);
    process.stderr.write(`wrote ${out}\n`);
  }
}
