import type { MemoryStore } from '../../spec/store.js';

export interface AccessRecorderOptions {
  /** How long hits wait before they are written (default 1 s). */
  intervalMs?: number;
  /** Hits held before a flush starts without waiting for the timer (default 10,000). */
  maxPending?: number;
}

interface TenantHits {
  /** One entry per hit: the store counts each occurrence once. */
  ids: string[];
  /** The latest search time among them. */
  at: string;
}

/**
 * Access counts (a ranking signal) written beside the request path, never on it. Searches hand
 * their hits to `record`, which only appends to memory; a short unref'd timer (and `close`)
 * writes them with one `recordAccess` per tenant. Bookkeeping is best effort: a failed write
 * (read-only file, full disk, busy database) is counted in `failures` and its hits are dropped,
 * so a read never fails or waits because of it.
 */
export class AccessRecorder {
  readonly #store: Pick<MemoryStore, 'recordAccess'>;
  readonly #intervalMs: number;
  readonly #maxPending: number;
  #hits = new Map<string, TenantHits>();
  #pending = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #failures = 0;
  #lastFailure: string | null = null;
  #closed = false;

  constructor(store: Pick<MemoryStore, 'recordAccess'>, options: AccessRecorderOptions = {}) {
    this.#store = store;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#maxPending = options.maxPending ?? 10_000;
  }

  /** Batches that could not be written since this recorder started. */
  get failures(): number {
    return this.#failures;
  }

  /** Why the latest failed batch failed, or null. */
  get lastFailure(): string | null {
    return this.#lastFailure;
  }

  /** Hits recorded and not yet handed to the store. */
  get pending(): number {
    return this.#pending;
  }

  /** Notes one search's hits; returns at once. Ignored after `close`. */
  record(tenant: string, ids: readonly string[], at: string): void {
    if (this.#closed || ids.length === 0) return;
    const hits = this.#hits.get(tenant);
    if (hits) {
      hits.ids.push(...ids);
      if (at > hits.at) hits.at = at;
    } else {
      this.#hits.set(tenant, { ids: [...ids], at });
    }
    this.#pending += ids.length;
    if (this.#pending >= this.#maxPending) {
      void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#intervalMs);
      // Bookkeeping never keeps a process alive.
      this.#timer.unref();
    }
  }

  /** Writes what is pending (after any flush already running); never rejects. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#hits;
    this.#hits = new Map();
    this.#pending = 0;
    this.#flushing = this.#flushing.then(() => this.#write(batch));
    return this.#flushing;
  }

  /** Writes what is pending and stops; later hits are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #write(batch: Map<string, TenantHits>): Promise<void> {
    for (const [tenant, hits] of batch) {
      try {
        await this.#store.recordAccess(tenant, hits.ids, hits.at);
      } catch (error) {
        this.#failures += 1;
        this.#lastFailure = error instanceof Error ? error.message : String(error);
      }
    }
  }
}
