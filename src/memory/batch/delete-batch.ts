import { MemoryError } from '../../spec/memory-error.js';
import type { ScopeOptions } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';
import { scopeFilter, scopeIds } from '../resolve-scope.js';

/**
 * Deletes several memories all or nothing: every id is checked first (an unknown one deletes
 * none and names it), then every delete is applied in one store transaction (a `delete` change
 * list), so a failure or a crash leaves either all of them or none deleted.
 */
export async function deleteBatch(ctx: MemoryContext, ids: string[]): Promise<number> {
  const unique = [...new Set(ids)];
  const { store } = await ctx.open();
  const found = new Set((await store.getMemories(ctx.tenant, unique)).map((r) => r.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw memoryNotFound(missing);
  const at = ctx.engine.now();
  await store.applyChanges(
    ctx.tenant,
    unique.map((id) => ({ kind: 'delete' as const, id, at, actor: 'user' })),
  );
  return unique.length;
}

/** Soft-deletes every memory of a scope; refuses without one (resetting a tenant is reset()). */
export async function deleteAll(
  ctx: MemoryContext,
  options: ScopeOptions,
): Promise<{ message: string; deleted: number }> {
  const filter = scopeFilter(scopeIds(options));
  if (!filter) {
    throw new MemoryError(
      'scope_required',
      'deleteAll refuses to run without a scope: pass a user, agent or run id. To erase the whole tenant, reset it.',
      { hint: 'scope' },
    );
  }
  const { store } = await ctx.open();
  const deleted = await store.deleteMemories(ctx.tenant, filter, { at: ctx.engine.now(), actor: 'user' });
  return { message: `Deleted ${deleted} memories.`, deleted };
}
