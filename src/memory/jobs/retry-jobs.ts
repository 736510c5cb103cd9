import type { JobRecord } from '../../spec/job.js';
import type { AddResult } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { jobNotFound } from './find-jobs.js';
import { JOB_LEASE_MS } from './retry-delay.js';

export interface RetriedJob {
  job_id: string;
  status: string;
  result: AddResult | null;
  error?: string;
}

/**
 * Retries one job (or every pending and dead job of the tenant, up to `limit`) now, in this
 * process: each is made due, leased like a worker would, and run through `run`.
 */
export async function retryJobs(
  ctx: MemoryContext,
  id: string | undefined,
  limit: number,
  run: (job: JobRecord) => Promise<AddResult>,
): Promise<{ results: RetriedJob[] }> {
  const { store } = await ctx.open();
  const { tenant, engine } = ctx;
  const targets = id
    ? [await store.getJob(tenant, id)]
    : await store.listJobs(tenant, { states: ['pending', 'dead'], limit });
  if (id && !targets[0]) throw jobNotFound(id);
  const out: RetriedJob[] = [];
  for (const target of targets) {
    if (!target || target.state === 'done') continue;
    await store.retryJob(tenant, target.id, engine.now());
    const [leased] = await store.claimJobs({
      limit: 1,
      now: engine.now(),
      leaseMs: JOB_LEASE_MS,
      ids: [target.id],
    });
    if (!leased) continue;
    const result = await run(leased);
    const after = await store.getJob(tenant, target.id);
    out.push({
      job_id: target.id,
      status: after?.state ?? 'unknown',
      result,
      ...(result.errors ? { error: result.errors[0]?.message } : {}),
    });
  }
  return { results: out };
}
