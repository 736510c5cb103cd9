import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryRecord, Metadata } from '../../spec/memory-record.js';
import type { MemoryPatch } from '../../spec/store.js';
import { textHash } from '../../util/text-hash.js';
import type { MemoryItem } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';
import { toMemoryItem } from '../render-item.js';
import { markFor, markOf, refuseReservedKey, released, withMark } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import { checkMetadata, type MemoryEdit } from '../validate-input.js';

export type { MemoryEdit };

/**
 * Applies a user's edit. A new text is a new version, true from `eventTime` (default now), and
 * is embedded again; metadata merges into what is there (null removes a key) unless
 * `replaceMetadata`. The store refuses a text another active memory of the scope already has
 * (`conflict`) and a change dated before the current version began (`invalid_input`).
 */
export async function updateMemory(ctx: MemoryContext, id: string, edit: MemoryEdit): Promise<MemoryItem> {
  const { store, gate } = await ctx.open();
  const existing = await store.getMemory(ctx.tenant, id);
  if (!existing) throw memoryNotFound(id);
  const plan = planEdit(ctx, existing, edit);
  const vectors = plan.text === undefined ? null : await gate.embed([plan.text]);
  const record = await store.updateMemory(
    ctx.tenant,
    id,
    editPatch(ctx, plan, edit, vectors?.[0], gate.model),
  );
  if (vectors) await gate.recordModel();
  return toMemoryItem(record);
}

/** What an edit changes on a memory: its new text (undefined when unchanged) and metadata after it. */
export interface EditPlan {
  text: string | undefined;
  metadata: Metadata | undefined;
}

export function planEdit(ctx: MemoryContext, existing: MemoryRecord, edit: MemoryEdit): EditPlan {
  refuseReservedKey(edit.metadata, `Updating memory ${existing.id}`);
  const screened = edit.text === undefined ? undefined : screenText(edit.text, ctx.config.safety);
  const text = screened === undefined || screened.text === existing.text ? undefined : screened.text;
  if (edit.eventTime !== undefined && text === undefined) {
    throw new MemoryError(
      'invalid_input',
      `eventTime dates a change of text, and the text of memory ${existing.id} is unchanged; pass a new text with it, or leave eventTime out.`,
      { details: { id: existing.id } },
    );
  }
  const merged =
    edit.metadata === undefined
      ? undefined
      : checkMetadata(
          applyMetadata(existing.metadata, edit.metadata, edit.replaceMetadata),
          ctx.config.limits,
        );
  // The safety mark follows the text, never the caller's metadata: a new text gets its own mark,
  // otherwise the old one stays (replaceMetadata cannot drop it); release is the one way out.
  const before = markOf(existing.metadata);
  const found =
    screened && text !== undefined ? markFor(screened.flags, ctx.config.safety.instructions) : before;
  const mark = edit.release ? released(found, ctx.engine.now()) : found;
  const metadata =
    merged === undefined && mark === before ? undefined : withMark(merged ?? existing.metadata, mark);
  return { text, metadata };
}

/** The store patch of a planned edit; `vector` is the new text's embedding (none without an embedder). */
export function editPatch(
  ctx: MemoryContext,
  plan: EditPlan,
  edit: MemoryEdit,
  vector: Float32Array | undefined,
  model: string | null,
): MemoryPatch {
  return {
    ...(plan.text === undefined ? {} : { text: plan.text, hash: textHash(plan.text) }),
    ...(plan.metadata === undefined ? {} : { metadata: plan.metadata }),
    ...(vector === undefined ? {} : { embedding: vector, embeddingModel: model }),
    ...(edit.eventTime === undefined ? {} : { validFrom: edit.eventTime }),
    at: ctx.engine.now(),
    actor: 'user',
  };
}

/** Merge (a key set to null is removed) or replace; top-level nulls never stay. */
export function applyMetadata(current: Metadata, change: Metadata, replace: boolean): Metadata {
  const next: Metadata = replace ? { ...change } : { ...current, ...change };
  for (const [key, value] of Object.entries(change)) if (value === null) delete next[key];
  return next;
}
