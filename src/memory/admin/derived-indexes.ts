import type { BuildProgress } from '../../indexes/index-feeder.js';
import type { IndexState } from '../../spec/index-outbox.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { OpenEngine } from '../engine.js';

/** A derived index as `engram index status` shows it. */
export interface IndexStatus extends IndexState {
  /** Whether this process's config names the index. */
  configured: boolean;
  /** Where it lives (configured indexes only). */
  location: string | null;
  /** Points the index holds, or null when it could not be asked (see `countError`). */
  points: number | null;
  countError?: string;
}

/** `memory.indexes`: the derived vector indexes fed from the store's outbox. */
export interface MemoryIndexes {
  /** Every index registered in the store, and the configured one. */
  status(): Promise<IndexStatus[]>;
  /** Drops the configured index's collection and writes every point again from the store. */
  rebuild(provider: string, progress?: BuildProgress): Promise<{ provider: string; points: number }>;
  /**
   * Unregisters an index this deployment no longer uses: writes stop adding outbox rows for it
   * and its pending rows go. Its collection is left as it is.
   */
  drop(provider: string): Promise<void>;
}

export function derivedIndexes(open: () => Promise<OpenEngine>): MemoryIndexes {
  const outboxOf = async () => {
    const engine = await open();
    if (!engine.store.outbox) {
      throw new MemoryError('invalid_input', `The ${engine.store.dialect} store keeps no derived indexes.`);
    }
    return { engine, outbox: engine.store.outbox };
  };
  return {
    async status() {
      const { engine, outbox } = await outboxOf();
      const configured = engine.index;
      if (configured) await configured.feeder.state();
      const states = await outbox.indexStates();
      return Promise.all(
        states.map(async (state): Promise<IndexStatus> => {
          const mine = configured?.provider === state.name ? configured : null;
          if (!mine) return { ...state, configured: false, location: null, points: null };
          try {
            return {
              ...state,
              configured: true,
              location: mine.index.location,
              points: await mine.index.count(),
            };
          } catch (error) {
            const countError = error instanceof Error ? error.message : String(error);
            return { ...state, configured: true, location: mine.index.location, points: null, countError };
          }
        }),
      );
    },
    async rebuild(provider, progress) {
      const { engine } = await outboxOf();
      const index = engine.index;
      if (!index || index.provider !== provider.toLowerCase()) {
        throw new MemoryError(
          'invalid_input',
          index
            ? `The configured index is ${index.provider}, not ${provider}: run \`engram reindex --index ${index.provider}\`, or configure index.provider ${provider}.`
            : `No index is configured, so there is no ${provider} index to rebuild: set config index (or ENGRAM_INDEX and ENGRAM_INDEX_URL) first.`,
          { details: { provider, configured: index?.provider ?? null } },
        );
      }
      const points = await index.feeder.rebuild(progress);
      index.refresh();
      return { provider: index.provider, points };
    },
    async drop(provider) {
      const { engine, outbox } = await outboxOf();
      const name = provider.toLowerCase();
      if (engine.index?.provider === name) {
        throw new MemoryError(
          'invalid_input',
          `The ${name} index is configured here; remove index from the config before dropping it, or it is registered again at the next start.`,
        );
      }
      const known = (await outbox.indexStates()).some((s) => s.name === name);
      if (!known) {
        throw new MemoryError('not_found', `No index named ${name} is registered in the store.`, {
          details: { provider: name },
        });
      }
      await outbox.unregisterIndex(name);
    },
  };
}
