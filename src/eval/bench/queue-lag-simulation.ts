import { mean, percentile, round2 } from './latency-stats.js';

/**
 * A discrete-event simulation of the extraction queue under load — simulated time, no waiting,
 * no engram code: messages arrive evenly, round-robin across channels, for three days; ONE worker
 * runs jobs one after the other, each LLM call taking `secondsPerCall`.
 *
 * - per-message: every message is a job of `callsPerMessage` calls, first come first served.
 * - windows: a channel's window is due when `windowMessages` messages wait or `windowMinutes`
 *   after the first of them arrived, whichever comes first (the real triggers); the worker runs the
 *   earliest due window, which takes every message waiting in that channel up to the token budget
 *   (`maxMessagesPerWindow`) and costs `callsPerWindow` calls.
 */
export interface LagLoad {
  messagesPerDay: number;
  channels: number;
}

export type LagMode =
  | { kind: 'per-message'; callsPerMessage: number }
  | {
      kind: 'windows';
      windowMessages: number;
      callsPerWindow: number;
      windowMinutes: number;
      maxMessagesPerWindow: number;
    };

export interface LagResult {
  load: LagLoad;
  mode: string;
  /** LLM seconds the arrivals of a day ask for, per second of the day: ≥ 1 means the backlog grows. */
  demand: number;
  /** Messages per LLM job, on average (1 for per-message). */
  messagesPerJob: number;
  /** Messages arrived but not yet extracted at the end of day 1 and of day 2. */
  backlogDay1: number;
  backlogDay2: number;
  grows: boolean;
  /** Seconds from arrival to the end of the call that extracted it, for messages arriving on day 2. */
  lag: { mean: number; p95: number; max: number };
}

const DAY = 86_400;
/** Arrivals run for three days; day 2 is measured, clear of the start and of the last windows' timers. */
const DAYS = 3;

export function simulateQueueLag(load: LagLoad, mode: LagMode, secondsPerCall: number): LagResult {
  const total = load.messagesPerDay * DAYS;
  const interval = DAY / load.messagesPerDay;
  const arrival = (i: number) => i * interval;
  const finish = new Float64Array(total);
  const stats =
    mode.kind === 'per-message'
      ? perMessage(total, arrival, finish, mode.callsPerMessage * secondsPerCall)
      : windows(total, arrival, finish, load.channels, mode, secondsPerCall);
  const backlogAt = (t: number) => {
    let n = 0;
    for (let i = 0; i < total && arrival(i) <= t; i++) if (finish[i]! > t) n++;
    return n;
  };
  const lags: number[] = [];
  for (let i = load.messagesPerDay; i < 2 * load.messagesPerDay; i++) lags.push(finish[i]! - arrival(i));
  const backlogDay1 = backlogAt(DAY);
  const backlogDay2 = backlogAt(2 * DAY);
  const slack = load.channels * (mode.kind === 'windows' ? mode.maxMessagesPerWindow : 1);
  return {
    load,
    mode: mode.kind === 'per-message' ? 'per-message' : `windows of ${mode.windowMessages}`,
    demand: Math.round((stats.busySeconds / (DAYS * DAY)) * 1000) / 1000,
    messagesPerJob: round2(total / stats.jobs),
    backlogDay1,
    backlogDay2,
    grows: backlogDay2 > backlogDay1 + slack,
    lag: {
      mean: round2(mean(lags)),
      p95: round2(percentile(lags, 0.95)),
      max: round2(lags.reduce((a, b) => Math.max(a, b), 0)),
    },
  };
}

function perMessage(
  total: number,
  arrival: (i: number) => number,
  finish: Float64Array,
  service: number,
): { busySeconds: number; jobs: number } {
  let free = 0;
  for (let i = 0; i < total; i++) {
    free = Math.max(free, arrival(i)) + service;
    finish[i] = free;
  }
  return { busySeconds: total * service, jobs: total };
}

interface ChannelQueue {
  waiting: number[];
  fullAt: number | null;
  timerAt: number | null;
}

function windows(
  total: number,
  arrival: (i: number) => number,
  finish: Float64Array,
  channels: number,
  mode: Extract<LagMode, { kind: 'windows' }>,
  secondsPerCall: number,
): { busySeconds: number; jobs: number } {
  const queues: ChannelQueue[] = Array.from({ length: channels }, () => ({
    waiting: [],
    fullAt: null,
    timerAt: null,
  }));
  const timer = mode.windowMinutes * 60;
  const service = mode.callsPerWindow * secondsPerCall;
  const due = (q: ChannelQueue) =>
    Math.min(q.fullAt ?? Number.POSITIVE_INFINITY, q.timerAt ?? Number.POSITIVE_INFINITY);
  let t = 0;
  let next = 0;
  let busySeconds = 0;
  let jobs = 0;
  for (;;) {
    for (; next < total && arrival(next) <= t; next++) {
      const q = queues[next % channels]!;
      q.waiting.push(next);
      if (q.waiting.length === 1 && q.timerAt === null) q.timerAt = arrival(next) + timer;
      if (q.waiting.length >= mode.windowMessages && q.fullAt === null) q.fullAt = arrival(next);
    }
    let pick: ChannelQueue | null = null;
    for (const q of queues) if (due(q) <= t && (pick === null || due(q) < due(pick))) pick = q;
    if (!pick) {
      const upcoming = Math.min(next < total ? arrival(next) : Number.POSITIVE_INFINITY, ...queues.map(due));
      if (upcoming === Number.POSITIVE_INFINITY) break;
      t = upcoming;
      continue;
    }
    const taken = pick.waiting.splice(0, mode.maxMessagesPerWindow);
    const start = t;
    t += service;
    busySeconds += service;
    jobs++;
    for (const i of taken) finish[i] = t;
    // As run-window.ts reschedules at the window's start: due now if a full window still waits.
    pick.fullAt = pick.waiting.length >= mode.windowMessages ? start : null;
    pick.timerAt = pick.waiting.length > 0 ? start + timer : null;
  }
  return { busySeconds, jobs };
}
