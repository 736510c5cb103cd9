import { MemoryError } from '../../spec/memory-error.js';
import type { Change } from '../../spec/store.js';
import type { MemoryItem } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';
import { toMemoryItem } from '../render-item.js';
import { editPatch, type MemoryEdit, planEdit } from '../update/update-memory.js';

/**
 * Applies several user edits all or nothing: every id is checked and every edit planned and
 * embedded before anything is written, then the store applies the list in one transaction
 * (`applyChanges`), so a conflict on the last edit leaves the first ones unwritten too.
 */
export async function updateBatch(
  ctx: MemoryContext,
  edits: { id: string; edit: MemoryEdit }[],
): Promise<MemoryItem[]> {
  const ids = edits.map((e) => e.id);
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) {
    throw new MemoryError(
      'invalid_input',
      `Memory ${repeated} appears twice in one batch; give each memory one update.`,
      { details: { id: repeated } },
    );
  }
  const { store, gate } = await ctx.open();
  const found = new Map((await store.getMemories(ctx.tenant, ids)).map((r) => [r.id, r]));
  const plans = edits.map(({ id, edit }) => {
    const existing = found.get(id);
    if (!existing) throw memoryNotFound(id);
    return planEdit(ctx, existing, edit);
  });
  const texts = plans.flatMap((p) => (p.text === undefined ? [] : [p.text]));
  const vectors = await gate.embed(texts);
  let next = 0;
  const changes: Change[] = edits.map(({ id, edit }, i) => {
    const plan = plans[i]!;
    const vector = plan.text === undefined ? undefined : vectors?.[next++];
    return { kind: 'update', id, patch: editPatch(ctx, plan, edit, vector, gate.model) };
  });
  const outcomes = await store.applyChanges(ctx.tenant, changes);
  if (vectors) await gate.recordModel();
  return outcomes.map((o) => toMemoryItem(o.record));
}
