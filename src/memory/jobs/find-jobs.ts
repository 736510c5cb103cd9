import type { JobRecord, JobState } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JobItem } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { payloadScope } from './job-payload.js';

export async function getJob(ctx: MemoryContext, id: string): Promise<JobItem> {
  const { store } = await ctx.open();
  const job = await store.getJob(ctx.tenant, id);
  if (!job) throw jobNotFound(id);
  return toJobItem(job);
}

/** The tenant's unfinished jobs (pending, running, dead), or only the dead ones. */
export async function listJobs(
  ctx: MemoryContext,
  options: { failed: boolean; limit: number },
): Promise<{ results: JobItem[] }> {
  const { store } = await ctx.open();
  const states: JobState[] = options.failed ? ['dead'] : ['pending', 'running', 'dead'];
  const jobs = await store.listJobs(ctx.tenant, { states, limit: options.limit });
  return { results: jobs.map(toJobItem) };
}

export function jobNotFound(id: string): MemoryError {
  return new MemoryError('not_found', `No job with id ${id}.`, { details: { id }, hint: 'list_jobs' });
}

function toJobItem(job: JobRecord): JobItem {
  const scope = payloadScope(job.payload);
  return {
    id: job.id,
    kind: job.kind,
    user_id: scope?.userId ?? null,
    agent_id: scope?.agentId ?? null,
    run_id: scope?.runId ?? null,
    state: job.state,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    next_attempt_at: job.nextAttemptAt,
    last_error: job.lastError,
    result: job.result,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}
