import { expect, it } from 'vitest';
import { type MakeFixture, useStore } from './conformance-kit.js';

/** Store-wide settings (embedding model and the like). */
export function metaChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);

  it('reads back what was set, null for unknown keys, and overwrites', async () => {
    expect(await store().getMeta('embedding_model')).toBeNull();
    await store().setMeta('embedding_model', 'a:model');
    expect(await store().getMeta('embedding_model')).toBe('a:model');
    await store().setMeta('embedding_model', 'b:model');
    expect(await store().getMeta('embedding_model')).toBe('b:model');
    expect((await store().stats()).embeddingModel).toBe('b:model');
  });
}
