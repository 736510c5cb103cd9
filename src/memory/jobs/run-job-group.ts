import type { JobRecord } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import { runInference } from '../add/run-inference.js';
import type { AddResult } from '../api-types.js';
import type { InferRequest } from '../inference/infer-add.js';
import type { MemoryContext } from '../memory-context.js';
import { scopeKey } from '../resolve-scope.js';
import { fromPayload } from './job-payload.js';

/**
 * Runs leased jobs of ONE scope of this tenant as one inference (the worker batches passive
 * observation this way: many small adds, one extraction). Every job completes or fails together.
 */
export async function runJobGroup(ctx: MemoryContext, jobs: JobRecord[]): Promise<AddResult> {
  const { tenant } = ctx;
  const requests = jobs.map((job) => fromPayload(job.payload));
  const ids = requests[0]!.ids;
  if (
    jobs.some((j) => j.tenant !== tenant) ||
    requests.some((r) => scopeKey('', r.ids) !== scopeKey('', ids))
  ) {
    throw new MemoryError('invalid_input', 'runJobGroup takes jobs of one tenant and one scope.');
  }
  return ctx.engine.locks.run(scopeKey(tenant, ids), async () => {
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
      );
    }
    const merged: InferRequest = {
      ...requests[requests.length - 1]!,
      messages: requests.flatMap((r) => r.messages),
      logged: true,
    };
    return runInference(ctx, merged, jobs);
  });
}
