import type { IndexState } from '../spec/index-outbox.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Store } from '../spec/store.js';
import type { IndexHit, IndexQuery, VectorIndex } from '../spec/vector-index.js';
import { IndexFeeder } from './index-feeder.js';

/** How long a read of the index's state is trusted by search. */
const STATE_TTL_MS = 2000;

/**
 * A configured derived index as the engine holds it: the engine's client, the feeder that keeps
 * it current (absent on a read-only store: another process feeds it), and its readiness as the
 * store records it, which search consults before asking the index.
 */
export class DerivedIndex {
  readonly index: VectorIndex;
  readonly feeder: IndexFeeder;
  #feeding: boolean;
  #state: { value: IndexState | null; at: number } | undefined;

  constructor(store: Store, index: VectorIndex, options: { feed: boolean }) {
    this.index = index;
    this.feeder = new IndexFeeder(store, index);
    this.#feeding = options.feed;
  }

  get provider(): string {
    return this.index.name;
  }

  /** Registers the index and starts feeding it (when this process may write the store). */
  async open(): Promise<void> {
    if (!this.#feeding) return;
    try {
      await this.feeder.state();
    } catch (error) {
      // A file this process may not write is served read-only: another process feeds the index.
      if (error instanceof MemoryError && error.code === 'read_only') {
        this.#feeding = false;
        return;
      }
      throw error;
    }
    this.feeder.start();
  }

  /** Why search cannot ask the index now, or null when it can. */
  async unusable(width: number): Promise<string | null> {
    const now = Date.now();
    if (!this.#state || now - this.#state.at > STATE_TTL_MS) {
      const states = await this.feeder.state().then(
        (s) => s,
        () => null,
      );
      this.#state = { value: states, at: now };
    }
    const state = this.#state.value;
    if (!state) return `the ${this.provider} index is not registered in the store yet`;
    if (!state.built) return `the ${this.provider} index is being built`;
    if (state.dimensions !== width) {
      return `the ${this.provider} index holds ${state.dimensions ?? 'no'} dimensions, the query has ${width}`;
    }
    return null;
  }

  query(query: IndexQuery): Promise<IndexHit[]> {
    return this.index.query(query);
  }

  /** Forgets the cached state (after a write or a rebuild in this process). */
  refresh(): void {
    this.#state = undefined;
  }

  /** Stops feeding (after a last pass of up to `drainMs`) and closes the client. */
  async close(drainMs: number): Promise<void> {
    if (this.#feeding) await this.feeder.stop(drainMs);
    await this.index.close();
  }
}
