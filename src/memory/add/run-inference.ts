import { randomUUID } from 'node:crypto';
import type { JobRecord } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import type { Store } from '../../spec/store.js';
import type { AddResult } from '../api-types.js';
import type { OpenEngine } from '../engine.js';
import { type InferContext, type InferRequest, inferAdd } from '../inference/infer-add.js';
import { UsageMeter } from '../inference/usage-meter.js';
import { INFER_JOB, JOB_MAX_ATTEMPTS, toPayload } from '../jobs/job-payload.js';
import { retryDelayMs } from '../jobs/retry-delay.js';
import type { MemoryContext } from '../memory-context.js';

/**
 * Runs the inferred add and records what it cost. On an upstream failure (LLM or embedder) the
 * work is not lost: it is left as a pending job (or the jobs being retried record the failure)
 * and reported in `errors`. Any other failure marks the jobs dead and is thrown.
 */
export async function runInference(
  ctx: MemoryContext,
  request: InferRequest,
  jobs: JobRecord[] | null,
  newJobId: string = randomUUID(),
): Promise<AddResult> {
  const opened = await ctx.open();
  const meter = new UsageMeter();
  try {
    return await inferOnce(ctx, opened, request, { jobs, newJobId }, meter);
  } finally {
    const { llmCalls, inputTokens, outputTokens, embedCalls } = meter;
    await opened.store.recordUsage(
      ctx.tenant,
      request.ids,
      { llmCalls, inputTokens, outputTokens, embedCalls },
      ctx.engine.now(),
    );
  }
}

async function inferOnce(
  ctx: MemoryContext,
  opened: OpenEngine,
  request: InferRequest,
  { jobs, newJobId }: { jobs: JobRecord[] | null; newJobId: string },
  meter: UsageMeter,
): Promise<AddResult> {
  const { store } = opened;
  const { tenant, engine } = ctx;
  try {
    const { results, relations } = await inferAdd(inferContext(ctx, opened), request, meter);
    for (const job of jobs ?? []) {
      await store.completeJob(tenant, job.id, { results } as unknown as JsonValue, engine.now());
    }
    return {
      results,
      ...(relations === undefined ? {} : { relations }),
      usage: meter.toUsage(),
      status: 'done',
    };
  } catch (error) {
    if (
      !(error instanceof MemoryError) ||
      !(error.category === 'upstream' || error.code === 'dimension_mismatch')
    ) {
      for (const job of jobs ?? []) {
        await store.failJob(tenant, job.id, String((error as Error).message), null, engine.now());
      }
      throw error;
    }
    const jobId = await leaveJob(ctx, store, request, { jobs, newJobId }, error);
    return {
      results: [],
      usage: meter.toUsage(),
      errors: [{ code: error.code, message: error.message }],
      status: 'pending',
      job_id: jobId,
    };
  }
}

/**
 * Schedules the retry of the failed jobs, or enqueues a new job for a synchronous add (with the
 * id its logged messages' refs name).
 */
async function leaveJob(
  ctx: MemoryContext,
  store: Store,
  request: InferRequest,
  { jobs, newJobId }: { jobs: JobRecord[] | null; newJobId: string },
  error: MemoryError,
): Promise<string> {
  const { tenant, engine } = ctx;
  const retryAt = (attempts: number) =>
    new Date(Date.parse(engine.now()) + retryDelayMs(attempts)).toISOString();
  if (jobs && jobs.length > 0) {
    for (const job of jobs) {
      await store.failJob(tenant, job.id, error.message, retryAt(job.attempts), engine.now());
    }
    return jobs[0]!.id;
  }
  const created = await store.enqueueJob(
    tenant,
    {
      id: newJobId,
      kind: INFER_JOB,
      payload: toPayload(request),
      maxAttempts: JOB_MAX_ATTEMPTS,
      runAt: retryAt(1),
      lastError: error.message,
      attempts: 1,
    },
    engine.now(),
  );
  return created.job.id;
}

function inferContext(ctx: MemoryContext, { store, gate }: OpenEngine): InferContext {
  const extraction = ctx.config.extraction;
  return {
    store,
    gate,
    chain: ctx.engine.chain(),
    tenant: ctx.tenant,
    now: () => ctx.engine.now(),
    mode: extraction.mode,
    contextMessages: extraction.contextMessages,
    customInstructions: extraction.customInstructions,
    safety: ctx.config.safety,
    prompts: extraction.prompts,
    graph: graphStep(ctx, store),
  };
}

function graphStep(ctx: MemoryContext, store: Store): InferContext['graph'] {
  if (!ctx.config.graph.enabled) return null;
  if (!store.graph) {
    throw new MemoryError(
      'invalid_config',
      `graph.enabled is set but the ${store.dialect} store keeps no graph; turn graph.enabled off or use a store with the graph capability.`,
    );
  }
  return { store: store.graph, settings: ctx.config.graph };
}
