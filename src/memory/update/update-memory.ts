import { MemoryError } from '../../spec/memory-error.js';
import type { Metadata } from '../../spec/memory-record.js';
import { textHash } from '../../util/text-hash.js';
import type { MemoryItem } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';
import { toMemoryItem } from '../render-item.js';
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
  const text = edit.text === undefined || edit.text === existing.text ? undefined : edit.text;
  if (edit.eventTime !== undefined && text === undefined) {
    throw new MemoryError(
      'invalid_input',
      `eventTime dates a change of text, and the text of memory ${id} is unchanged; pass a new text with it, or leave eventTime out.`,
    );
  }
  const metadata =
    edit.metadata === undefined
      ? undefined
      : checkMetadata(
          applyMetadata(existing.metadata, edit.metadata, edit.replaceMetadata),
          ctx.config.limits,
        );
  const vectors = text === undefined ? null : await gate.embed([text]);
  const record = await store.updateMemory(ctx.tenant, id, {
    ...(text === undefined ? {} : { text, hash: textHash(text) }),
    ...(metadata === undefined ? {} : { metadata }),
    ...(vectors ? { embedding: vectors[0]!, embeddingModel: gate.model } : {}),
    ...(edit.eventTime === undefined ? {} : { validFrom: edit.eventTime }),
    at: ctx.engine.now(),
    actor: 'user',
  });
  if (vectors) await gate.recordModel();
  return toMemoryItem(record);
}

/** Merge (a key set to null is removed) or replace; top-level nulls never stay. */
export function applyMetadata(current: Metadata, change: Metadata, replace: boolean): Metadata {
  const next: Metadata = replace ? { ...change } : { ...current, ...change };
  for (const [key, value] of Object.entries(change)) if (value === null) delete next[key];
  return next;
}
