import { randomUUID } from 'node:crypto';
import type { AddResult } from '../api-types.js';
import type { InferRequest } from '../inference/infer-add.js';
import type { MemoryContext } from '../memory-context.js';
import { scopeKey } from '../resolve-scope.js';
import { runInference } from './run-inference.js';

/**
 * The inferred add, run now: the raw conversation is logged before any LLM call, whatever
 * happens next, then the inference runs under the scope's lock. The messages carry the refs of
 * the job a failure would leave (`<job id>:<index>`, as queued jobs log theirs), so a retry
 * finds them and reads the context that preceded them.
 */
export async function addInferred(
  ctx: MemoryContext,
  request: Omit<InferRequest, 'logged'>,
): Promise<AddResult> {
  const { tenant, engine } = ctx;
  const jobId = randomUUID();
  return engine.exclusive(scopeKey(tenant, request.ids), async () => {
    const { store } = await ctx.open();
    await store.appendMessages(
      { tenant, ...request.ids },
      request.messages.map((m, i) => ({
        role: m.role,
        name: m.name ?? null,
        content: m.content,
        eventTime: request.eventTime,
        ref: `${jobId}:${i}`,
      })),
      engine.now(),
    );
    const refs = request.messages.map((_, i) => `${jobId}:${i}`);
    return runInference(ctx, { ...request, logged: true, contextBefore: [`${jobId}:0`], refs }, null, jobId);
  });
}
