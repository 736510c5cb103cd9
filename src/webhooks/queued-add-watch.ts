import type { MemoryEvent } from './memory-event.js';

/** What the watch reads of a queued add: its state and, once done, the AddResult it stored. */
export interface WatchedJob {
  state: 'pending' | 'running' | 'done' | 'dead';
  result: unknown;
}

export interface QueuedAddWatchOptions {
  /** How often watched jobs are read. Default 1 s. */
  pollMs?: number;
  /** A job not done after this long is no longer watched. Default 24 h. */
  maxAgeMs?: number;
  nowMs?: () => number;
}

interface Watched {
  tenant: string;
  read: () => Promise<WatchedJob>;
  since: number;
}

/** Event keys remembered so a group of jobs that share one result fires each event once. */
const FIRED_MEMORY = 10_000;

/**
 * Fires the events of queued adds once a worker has run them: the jobs queued through this server
 * are read every `pollMs` until done (their result lists what was added, updated or deleted),
 * dead, or too old. The list lives in this process, so a job still queued when it stops fires
 * nothing. The worker runs a scope's jobs as one group and stores the group's result on each job;
 * an event already fired is not fired again.
 */
export class QueuedAddWatch {
  readonly #onEvents: (tenant: string, events: MemoryEvent[]) => Promise<void>;
  readonly #pollMs: number;
  readonly #maxAgeMs: number;
  readonly #nowMs: () => number;
  readonly #jobs = new Map<string, Watched>();
  readonly #fired = new Set<string>();
  #timer: NodeJS.Timeout | null = null;
  #passing: Promise<void> | null = null;
  #closed = false;

  constructor(
    onEvents: (tenant: string, events: MemoryEvent[]) => Promise<void>,
    options: QueuedAddWatchOptions = {},
  ) {
    this.#onEvents = onEvents;
    this.#pollMs = options.pollMs ?? 1_000;
    this.#maxAgeMs = options.maxAgeMs ?? 24 * 3600_000;
    this.#nowMs = options.nowMs ?? Date.now;
  }

  get size(): number {
    return this.#jobs.size;
  }

  watch(tenant: string, jobId: string, read: () => Promise<WatchedJob>): void {
    if (this.#closed) return;
    this.#jobs.set(`${tenant}\u001f${jobId}`, { tenant, read, since: this.#nowMs() });
    this.#timer ??= setInterval(() => void this.poll(), this.#pollMs).unref();
  }

  /** One pass over the watched jobs (the timer runs these; a pass never overlaps another). */
  poll(): Promise<void> {
    this.#passing ??= this.#pass().finally(() => {
      this.#passing = null;
    });
    return this.#passing;
  }

  close(): void {
    this.#closed = true;
    this.#jobs.clear();
    this.#stopTimer();
  }

  async #pass(): Promise<void> {
    for (const [key, job] of [...this.#jobs]) {
      if (this.#closed) return;
      const state = await job.read().catch(() => null);
      if (state === null || state.state === 'dead' || this.#nowMs() - job.since > this.#maxAgeMs) {
        this.#jobs.delete(key);
      } else if (state.state === 'done') {
        this.#jobs.delete(key);
        const events = this.#unfired(job.tenant, resultEvents(state.result));
        if (events.length > 0) await this.#onEvents(job.tenant, events);
      }
    }
    if (this.#jobs.size === 0) this.#stopTimer();
  }

  #unfired(tenant: string, events: MemoryEvent[]): MemoryEvent[] {
    return events.filter((e) => {
      const key = JSON.stringify([tenant, e.id, e.event, e.memory]);
      if (this.#fired.has(key)) return false;
      this.#fired.add(key);
      if (this.#fired.size > FIRED_MEMORY) this.#fired.delete(this.#fired.values().next().value!);
      return true;
    });
  }

  #stopTimer(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** The ADD/UPDATE/DELETE items of a stored AddResult (`{results: [{id, memory, event}]}`). */
function resultEvents(result: unknown): MemoryEvent[] {
  const items = (result as { results?: unknown } | null)?.results;
  if (!Array.isArray(items)) return [];
  return items.flatMap((item: { id?: unknown; memory?: unknown; event?: unknown }) =>
    typeof item?.id === 'string' &&
    typeof item.memory === 'string' &&
    (item.event === 'ADD' || item.event === 'UPDATE' || item.event === 'DELETE')
      ? [{ id: item.id, memory: item.memory, event: item.event }]
      : [],
  );
}
