import { randomUUID } from 'node:crypto';
import type { IndexOutbox, IndexState } from '../spec/index-outbox.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Store } from '../spec/store.js';
import type { IndexPoint, VectorIndex } from '../spec/vector-index.js';

export interface FeederOptions {
  /** Outbox rows (and build points) per round trip. Default 256. */
  batch?: number;
  /** How long the feeding right is held between renewals (a crashed holder blocks others this long). Default 10 s. */
  leaseMs?: number;
  /** Wait between passes when nothing was pending (an idle pass only reads). Default 0.5 s. */
  idleMs?: number;
  /** First and longest wait after a failure (doubling in between). Default 0.5 s and 30 s. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  now?: () => string;
}

export interface PassOutcome {
  /** False when another process holds the index's lease (it feeds it). */
  held: boolean;
  /** Points written by a full build in this pass (null: no build ran). */
  built: number | null;
  /** Outbox rows applied. */
  applied: number;
}

/** Progress of a full build, for a progress bar: points written and points to write. */
export type BuildProgress = (done: number, total: number) => void;

/**
 * Feeds one derived index from the store's outbox: a full build when the index is new (or its
 * width no longer matches the store's vectors), then the outbox rows, oldest first, each turned
 * into an upsert of the memory's current point or a removal. Only the lease holder feeds, so two
 * processes never race a stale point over a newer one; a failure is recorded on the index's state
 * and retried with backoff; rows stay in the outbox until applied, so nothing is lost to a crash.
 */
export class IndexFeeder {
  readonly #store: Store;
  readonly #outbox: IndexOutbox;
  readonly #index: VectorIndex;
  readonly #holder = randomUUID();
  readonly #batch: number;
  readonly #leaseMs: number;
  readonly #idleMs: number;
  readonly #minBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #now: () => string;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> | undefined;
  #stopped = false;
  #backoff = 0;
  /** Passes and rebuilds of this feeder run one at a time (the lease only excludes other processes). */
  #turn: Promise<unknown> = Promise.resolve();

  constructor(store: Store, index: VectorIndex, options: FeederOptions = {}) {
    if (!store.outbox) {
      throw new MemoryError(
        'invalid_config',
        `The ${store.dialect} store has no outbox, so it cannot feed the ${index.name} index; remove index from the config.`,
      );
    }
    this.#store = store;
    this.#outbox = store.outbox;
    this.#index = index;
    this.#batch = options.batch ?? 256;
    this.#leaseMs = options.leaseMs ?? 10_000;
    this.#idleMs = options.idleMs ?? 500;
    this.#minBackoffMs = options.minBackoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#now = options.now ?? (() => new Date().toISOString());
  }

  get name(): string {
    return this.#index.name;
  }

  /** The index's state as the store records it (registering it when it is not). */
  async state(): Promise<IndexState> {
    const found = (await this.#outbox.indexStates()).find((s) => s.name === this.name);
    return found ?? this.#outbox.registerIndex(this.name, this.#now());
  }

  /**
   * One pass: take the lease, build when the index is not built, then apply pending rows until
   * none are left. A failure is recorded on the index's state and thrown.
   */
  pass(): Promise<PassOutcome> {
    return this.#alone(() => this.#pass());
  }

  #alone<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#turn.then(fn, fn);
    this.#turn = run.catch(() => undefined);
    return run;
  }

  async #pass(): Promise<PassOutcome> {
    // Idle passes only read: the lease (a write) is taken when there is something to do.
    const current = await this.state();
    if (current.built && (await this.#outbox.outboxRows(this.name, 1)).length === 0) {
      return { held: true, built: null, applied: 0 };
    }
    if (!(await this.#lease())) return { held: false, built: null, applied: 0 };
    try {
      let state = await this.state();
      let built: number | null = null;
      if (!state.built) {
        built = await this.#build();
        state = await this.state();
      }
      let applied = 0;
      const width = { value: state.dimensions };
      for (;;) {
        const n = await this.#applyRows(width);
        if (n === null) return { held: true, built, applied };
        applied += n;
        if (n < this.#batch) return { held: true, built, applied };
        if (!(await this.#lease())) return { held: false, built, applied };
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.#outbox
        .recordIndexProgress(this.name, { error: message }, this.#now())
        .catch(() => undefined);
      throw error;
    }
  }

  /** Drops the index and writes every point again from the store (`engram reindex --index`). */
  rebuild(progress?: BuildProgress): Promise<number> {
    return this.#alone(() => this.#rebuild(progress));
  }

  async #rebuild(progress?: BuildProgress): Promise<number> {
    await this.state();
    if (!(await this.#lease())) {
      throw new MemoryError(
        'conflict',
        `Another engram process is feeding the ${this.name} index right now; stop it (or wait ${Math.round(this.#leaseMs / 1000)} s after it stopped) and run the rebuild again.`,
      );
    }
    await this.#outbox.recordIndexProgress(this.name, { built: false }, this.#now());
    const points = await this.#build(progress);
    await this.#pass();
    return points;
  }

  /** Feeds in the background until stop(); failures back off, a write can nudge() it awake. */
  start(): void {
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Wakes the background loop now (after a write) instead of at its next poll. */
  nudge(): void {
    if (this.#stopped || this.#backoff > 0 || this.#running) return;
    this.#schedule(0);
  }

  /**
   * Stops the loop after one last pass that may take up to `drainMs` (so a short-lived process —
   * a CLI command — leaves the index current), then gives the lease up.
   */
  async stop(drainMs = 0): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => undefined);
    if (drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, drainMs);
      });
      await Promise.race([this.pass().catch(() => undefined), timeout]);
      clearTimeout(timer);
    }
    await this.#outbox.releaseIndex(this.name, this.#holder).catch(() => undefined);
  }

  #schedule(delay: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#running = this.pass().then(
        (outcome) => {
          this.#backoff = 0;
          return outcome.applied > 0 ? 0 : this.#idleMs;
        },
        () => {
          this.#backoff = Math.min(this.#maxBackoffMs, Math.max(this.#minBackoffMs, this.#backoff * 2));
          return this.#backoff;
        },
      );
      void this.#running.then((next) => {
        this.#running = undefined;
        if (!this.#stopped) this.#schedule(next as number);
      });
    }, delay);
    this.#timer.unref();
  }

  /** The index must be registered (state() registers it; pass and rebuild call it first). */
  async #lease(): Promise<boolean> {
    return this.#outbox.leaseIndex(this.name, this.#holder, this.#leaseMs, this.#now());
  }

  /** Resets the index to the store's width and writes every current point. */
  async #build(progress?: BuildProgress): Promise<number> {
    const width = await this.#store.vectorWidth();
    if (width === null) {
      await this.#outbox.recordIndexProgress(
        this.name,
        { built: true, dimensions: null, error: null },
        this.#now(),
      );
      return 0;
    }
    await this.#index.reset(width);
    const total = progress ? await this.#outbox.indexPointCount() : 0;
    let cursor: string | null = null;
    let done = 0;
    do {
      const page = await this.#outbox.scanIndexPoints(cursor, this.#batch);
      const points = page.points.filter((p) => p.vector.length === width);
      if (points.length > 0) await this.#index.upsert(points);
      done += points.length;
      progress?.(done, Math.max(done, total));
      cursor = page.next;
      if (cursor !== null && !(await this.#lease())) {
        throw new MemoryError(
          'conflict',
          `Another process took the ${this.name} index over during its build.`,
        );
      }
    } while (cursor !== null);
    await this.#outbox.recordIndexProgress(
      this.name,
      { built: true, dimensions: width, error: null },
      this.#now(),
    );
    return done;
  }

  /** Applies one batch of rows; the number applied, or null when the index needs a build first. */
  async #applyRows(dimensions: { value: number | null }): Promise<number | null> {
    const rows = await this.#outbox.outboxRows(this.name, this.#batch);
    if (rows.length === 0) return 0;
    const byTenant = new Map<string, Set<string>>();
    for (const row of rows) {
      const ids = byTenant.get(row.tenant) ?? new Set<string>();
      ids.add(row.memoryId);
      byTenant.set(row.tenant, ids);
    }
    const upserts: IndexPoint[] = [];
    const removals: string[] = [];
    for (const [tenant, ids] of byTenant) {
      const points = await this.#outbox.indexPoints(tenant, [...ids]);
      for (const id of ids) {
        const point = points.get(id);
        if (point) upserts.push(point);
        else removals.push(id);
      }
    }
    const first = upserts[0];
    if (dimensions.value === null && first) {
      // The first vector of a store that had none when the index was built.
      dimensions.value = first.vector.length;
      await this.#index.prepare(dimensions.value);
      await this.#outbox.recordIndexProgress(this.name, { dimensions: dimensions.value }, this.#now());
    }
    const width = dimensions.value;
    if (upserts.some((p) => p.vector.length !== width)) {
      // The store was reindexed to another width: the index is rebuilt from scratch.
      await this.#outbox.recordIndexProgress(this.name, { built: false }, this.#now());
      return null;
    }
    if (upserts.length > 0) await this.#index.upsert(upserts);
    if (removals.length > 0) await this.#index.remove(removals);
    await this.#outbox.completeOutbox(
      this.name,
      rows.map((r) => r.id),
      { error: null },
      this.#now(),
    );
    return rows.length;
  }
}
