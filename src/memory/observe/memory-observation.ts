import type { JobRecord } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import { retryDelayMs } from '../jobs/retry-delay.js';
import type { MemoryContext } from '../memory-context.js';
import { type DayUsage, emptyUsage, readDayUsage } from './channel-state.js';
import { estimateCost, type ModelPrice } from './prices.js';
import { runObserveWindow, type WindowResult } from './run-window.js';

export interface ChannelUsage {
  channel_id: string;
  /** One entry per day with observation, oldest first, and their sum. */
  days: (DayUsage & { day: string })[];
  total: DayUsage;
  /** The money the LLM tokens cost at the configured or built-in price of the first LLM; null when unknown. */
  cost: { model: string; price: ModelPrice; usd: number } | null;
}

/** `memory.observation`: windows and their cost, per channel (docs/observation.md). */
export interface MemoryObservation {
  /** Runs the channel's next window now. */
  runWindow(channelId: string): Promise<WindowResult>;
  /**
   * Runs a leased `observe` job (the ingest worker): the window, then the job completes; an
   * upstream failure (LLM, embedder) sends it back with backoff, anything else is thrown.
   */
  runJob(job: JobRecord): Promise<WindowResult | null>;
  /** What observing the channel cost per day since `since` (ISO date, default 30 days back). */
  usage(channelId: string, options?: { since?: string | undefined }): Promise<ChannelUsage>;
}

const DAY_MS = 86_400_000;

export function memoryObservation(ctx: MemoryContext): MemoryObservation {
  return {
    runWindow: (channelId) => runObserveWindow(ctx, channelId),
    async runJob(job) {
      const { store } = await ctx.open();
      const { channelId, after } = job.payload as { channelId: string; after?: number };
      try {
        const result = await runObserveWindow(ctx, channelId, after === undefined ? undefined : { after });
        await store.completeJob(
          job.tenant,
          job.id,
          result as unknown as JsonValue,
          ctx.engine.now(),
          job.attempts,
        );
        return result;
      } catch (error) {
        if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
        const retryAt = new Date(Date.parse(ctx.engine.now()) + retryDelayMs(job.attempts)).toISOString();
        await store.failJob(job.tenant, job.id, error.message, retryAt, ctx.engine.now(), job.attempts);
        return null;
      }
    },
    async usage(channelId, options = {}) {
      const { store } = await ctx.open();
      const today = ctx.engine.now().slice(0, 10);
      const since =
        options.since?.slice(0, 10) ?? new Date(Date.parse(today) - 30 * DAY_MS).toISOString().slice(0, 10);
      const days: (DayUsage & { day: string })[] = [];
      const total = emptyUsage();
      for (let t = Date.parse(since); t <= Date.parse(today); t += DAY_MS) {
        const day = new Date(t).toISOString().slice(0, 10);
        const usage = await readDayUsage(store, ctx.tenant, channelId, day);
        if (!usage) continue;
        days.push({ day, ...usage });
        for (const field of Object.keys(total) as (keyof DayUsage)[]) total[field] += usage[field];
      }
      const model = ctx.config.llm[0] ? `${ctx.config.llm[0].provider}:${ctx.config.llm[0].model}` : null;
      return {
        channel_id: channelId,
        days,
        total,
        cost: model ? estimateCost(model, total, ctx.config.observe.prices) : null,
      };
    },
  };
}
