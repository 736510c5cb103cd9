import type { JobRecord } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import { runInference } from '../add/run-inference.js';
import type { AddResult } from '../api-types.js';
import type { InferRequest } from '../inference/infer-add.js';
import { mergedOrigins } from '../inference/message-origins.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryObservation } from '../observe/memory-observation.js';
import { OBSERVE_JOB } from '../observe/observe-messages.js';
import { scopeKey } from '../resolve-scope.js';
import { holdLeases } from './hold-leases.js';
import { fromPayload } from './job-payload.js';
import { leasedStore } from './leased-store.js';
import { JOB_LEASE_MS } from './retry-delay.js';

/**
 * Runs leased jobs of ONE scope of this tenant as one inference (the worker batches passive
 * observation this way: many small adds, one extraction). Every job completes or fails together.
 * The leases are renewed while the jobs run, and the run's writes are tied to them (`leasedStore`):
 * a run whose jobs another worker took over commits nothing and fails with `lease_lost`.
 */
export async function runJobGroup(
  ctx: MemoryContext,
  jobs: JobRecord[],
  options: { leaseMs?: number } = {},
): Promise<AddResult> {
  const { tenant } = ctx;
  if (jobs[0]?.kind === OBSERVE_JOB) return runObserveJobs(ctx, jobs);
  const requests = jobs.map((job) => fromPayload(job.payload));
  const ids = requests[0]!.ids;
  if (
    jobs.some((j) => j.tenant !== tenant) ||
    requests.some((r) => scopeKey('', r.ids) !== scopeKey('', ids))
  ) {
    throw new MemoryError('invalid_input', 'runJobGroup takes jobs of one tenant and one scope.');
  }
  const leaseMs = options.leaseMs ?? JOB_LEASE_MS;
  const now = () => ctx.engine.now();
  const { store } = await ctx.open();
  const heartbeat = holdLeases(store, jobs, leaseMs, now);
  const leased: MemoryContext = {
    tenant: ctx.tenant,
    config: ctx.config,
    engine: ctx.engine,
    open: async () => {
      const opened = await ctx.open();
      return { ...opened, store: leasedStore(opened.store, jobs, () => ({ now: now(), leaseMs })) };
    },
  };
  try {
    return await runLeased(leased, jobs, requests);
  } finally {
    heartbeat.stop();
  }
}

/** Observation triggers: each runs its channel's next window (an AddResult of what it wrote). */
async function runObserveJobs(ctx: MemoryContext, jobs: JobRecord[]): Promise<AddResult> {
  const observation = memoryObservation(ctx);
  const results: AddResult['results'] = [];
  let status: AddResult['status'] = 'done';
  let usage: AddResult['usage'] | undefined;
  for (const job of jobs) {
    const window = await observation.runJob(job);
    if (!window) status = 'pending';
    else {
      results.push(...window.results);
      usage = window.usage;
    }
  }
  return {
    results,
    usage: usage ?? { llmCalls: 0, inputTokens: 0, outputTokens: 0, embedCalls: 0, ms: {} },
    status,
  };
}

async function runLeased(
  ctx: MemoryContext,
  jobs: JobRecord[],
  requests: InferRequest[],
): Promise<AddResult> {
  const { tenant } = ctx;
  const ids = requests[0]!.ids;
  return ctx.engine.exclusive(scopeKey(tenant, ids), async () => {
    const { store } = await ctx.open();
    for (const [j, request] of requests.entries()) {
      if (request.logged) continue;
      // The ref makes logging idempotent: a job re-run after a crash does not log its turns twice.
      await store.appendMessages(
        { tenant, ...ids },
        request.messages.map((m, i) => ({
          role: m.role,
          name: m.name ?? null,
          content: m.content,
          eventTime: request.eventTime,
          ref: `${jobs[j]!.id}:${i}`,
        })),
        ctx.engine.now(),
      );
    }
    // Each message keeps its own job's time, actor, metadata and importance (`origins`); the
    // context is what was logged before the first of the jobs' messages (`<job id>:0`).
    const merged: InferRequest = {
      ...requests[requests.length - 1]!,
      messages: requests.flatMap((r) => r.messages),
      logged: true,
      origins: mergedOrigins(requests),
      contextBefore: jobs.map((job) => `${job.id}:0`),
      refs: requests.flatMap((r, j) => r.messages.map((_, i) => `${jobs[j]!.id}:${i}`)),
      customInstructions: joinInstructions(requests.map((r) => r.customInstructions)),
    };
    return runInference(ctx, merged, jobs);
  });
}

/** The distinct extra instructions of a group's adds, one paragraph each (undefined: none). */
function joinInstructions(all: (string | undefined)[]): string | undefined {
  const distinct = [...new Set(all.filter((x): x is string => typeof x === 'string' && x !== ''))];
  return distinct.length === 0 ? undefined : distinct.join('\n\n');
}
