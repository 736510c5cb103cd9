import { randomUUID } from 'node:crypto';
import type { InferRequest } from '../inference/infer-add.js';
import type { MemoryContext } from '../memory-context.js';
import { INFER_JOB, JOB_MAX_ATTEMPTS, toPayload } from './job-payload.js';

/**
 * Commits a validated inferred add to the job table for a worker to run; idempotent on
 * `idempotencyKey` (a repeat returns the first job with `created: false`).
 */
export async function enqueueAdd(
  ctx: MemoryContext,
  request: InferRequest,
  idempotencyKey: string | null,
): Promise<{ job_id: string; status: 'pending'; created: boolean }> {
  const { store } = await ctx.open();
  const now = ctx.engine.now();
  const { job, created } = await store.enqueueJob(
    ctx.tenant,
    {
      id: randomUUID(),
      kind: INFER_JOB,
      payload: toPayload(request),
      maxAttempts: JOB_MAX_ATTEMPTS,
      runAt: now,
      idempotencyKey,
    },
    now,
  );
  return { job_id: job.id, status: 'pending', created };
}
