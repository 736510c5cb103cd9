import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';

/**
 * Deletes several memories all or nothing as far as the Store contract allows: every id is
 * checked before the first delete, so an unknown id deletes none. The deletes then run one by
 * one (the contract has no multi-id delete); one that a concurrent caller deleted first is
 * already in the state asked for and is not an error. A crash between two deletes can still
 * leave the batch half done (the ids already deleted are then not_found; delete the rest).
 */
export async function deleteBatch(ctx: MemoryContext, ids: string[]): Promise<number> {
  const unique = [...new Set(ids)];
  const { store } = await ctx.open();
  const found = new Set((await store.getMemories(ctx.tenant, unique)).map((r) => r.id));
  const missing = unique.find((id) => !found.has(id));
  if (missing !== undefined) throw memoryNotFound(missing);
  for (const id of unique) {
    await store
      .deleteMemory(ctx.tenant, id, { at: ctx.engine.now(), actor: 'user' })
      .catch((error: unknown) => {
        if (!MemoryError.is(error, 'not_found')) throw error;
      });
  }
  return unique.length;
}
