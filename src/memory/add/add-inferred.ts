import type { AddResult } from '../api-types.js';
import type { InferRequest } from '../inference/infer-add.js';
import type { MemoryContext } from '../memory-context.js';
import { scopeKey } from '../resolve-scope.js';
import { runInference } from './run-inference.js';

/**
 * The inferred add, run now: the raw conversation is logged before any LLM call, whatever
 * happens next, then the inference runs under the scope's lock.
 */
export async function addInferred(
  ctx: MemoryContext,
  request: Omit<InferRequest, 'logged'>,
): Promise<AddResult> {
  const { tenant, engine } = ctx;
  return engine.locks.run(scopeKey(tenant, request.ids), async () => {
    const { store } = await ctx.open();
    await store.appendMessages(
      { tenant, ...request.ids },
      request.messages.map((m) => ({
        role: m.role,
        name: m.name ?? null,
        content: m.content,
        eventTime: request.eventTime,
      })),
    );
    return runInference(ctx, { ...request, logged: true }, null);
  });
}
