import { holdLeases } from '../memory/jobs/hold-leases.js';
import type { Memory } from '../memory/memory.js';
import { OBSERVE_JOB } from '../memory/observe/observe-messages.js';
import type { JobRecord } from '../spec/job.js';
import { MemoryError } from '../spec/memory-error.js';

export interface IngestWorkerOptions {
  /** Job groups processed at the same time (default 2). */
  concurrency?: number;
  /** Most jobs leased per poll; jobs of one scope in a lease run as one inference (default 16). */
  batchSize?: number;
  /** Pause between polls when the queue is empty, in ms (default 250). */
  intervalMs?: number;
  /**
   * How long a leased job is ours before another worker may take it over, in ms (default 120 s).
   * It is renewed every third of that while the job runs, so only a stalled process loses it.
   */
  leaseMs?: number;
  /** Called with failures the worker could not even record (store down); default: stderr. */
  onError?: (error: unknown) => void;
}

/**
 * Drains the durable job queue: leases due jobs (pending, or running with an expired lease
 * after a crash), groups them by scope so a burst of small adds becomes one extraction, and
 * runs the groups with bounded concurrency. Failures go back to the queue with backoff (the
 * engine records them); a job out of attempts is dead, visible in `engram jobs --failed`.
 */
export class IngestWorker {
  readonly #memory: Memory;
  readonly #options: Required<Omit<IngestWorkerOptions, 'onError'>> & Pick<IngestWorkerOptions, 'onError'>;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  processed = 0;
  /** Jobs whose run was dropped because another worker had taken them over (lease_lost). */
  leasesLost = 0;

  constructor(memory: Memory, options: IngestWorkerOptions = {}) {
    this.#memory = memory;
    this.#options = {
      concurrency: options.concurrency ?? 2,
      batchSize: options.batchSize ?? 16,
      intervalMs: options.intervalMs ?? 250,
      leaseMs: options.leaseMs ?? 120_000,
      onError: options.onError,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops polling and waits for the jobs in hand to finish (graceful shutdown). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** Jobs waiting (pending, not yet leased) across tenants. */
  async depth(): Promise<number> {
    return (await this.#memory.queue.jobCounts(null)).pending;
  }

  /** Runs until the queue has no due job; for tests, tools and one-shot draining. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.#tick();
      total += n;
      if (n === 0) return total;
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let handled = 0;
      try {
        handled = await this.#tick();
      } catch (error) {
        this.#report(error);
      }
      if (handled === 0 && this.#running) await this.#sleep(this.#options.intervalMs);
    }
  }

  async #tick(): Promise<number> {
    const jobs = await this.#memory.queue.claimJobs({
      limit: this.#options.batchSize,
      now: this.#memory.now(),
      leaseMs: this.#options.leaseMs,
      kinds: ['infer', OBSERVE_JOB],
    });
    if (jobs.length === 0) return 0;
    // Every claimed job keeps its lease until its group has run, not only the group running now:
    // a job waiting behind a slow one would otherwise expire and be claimed (and run) elsewhere.
    const waiting = holdLeases(this.#memory.queue, jobs, this.#options.leaseMs, () => this.#memory.now());
    const groups = groupByScope(jobs);
    let next = 0;
    const lanes = Array.from({ length: Math.min(this.#options.concurrency, groups.length) }, async () => {
      while (next < groups.length) {
        const group = groups[next++]!;
        if (group.some((job) => waiting.lost.has(job.id))) {
          // Taken over while it waited (this process stalled): the new holder runs it.
          this.leasesLost += group.length;
          continue;
        }
        try {
          await this.#memory.runJobGroup(group, { leaseMs: this.#options.leaseMs });
        } catch (error) {
          this.#report(error);
          // The jobs are another worker's now: its run decides them, this one committed nothing.
          if (MemoryError.is(error, 'lease_lost')) this.leasesLost += group.length;
          // Not an upstream failure (those are retried by the engine): park the jobs as dead, visibly.
          else await this.#bury(group, error);
        }
        this.processed += group.length;
      }
    });
    try {
      await Promise.all(lanes);
    } finally {
      waiting.stop();
    }
    return jobs.length;
  }

  async #bury(group: JobRecord[], error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    for (const job of group) {
      try {
        // Only while the lease is ours: a job another worker took over is not ours to bury.
        await this.#memory.queue.failJob(job.tenant, job.id, message, null, this.#memory.now(), job.attempts);
      } catch (failure) {
        this.#report(failure);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  #report(error: unknown): void {
    if (this.#options.onError) this.#options.onError(error);
    else process.stderr.write(`engram ingest: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}

/**
 * Jobs of the same tenant, scope, metadata and memory type can share one inference; a channel's
 * observation triggers form one group (their windows run one after the other).
 */
function groupByScope(jobs: JobRecord[]): JobRecord[][] {
  const groups = new Map<string, JobRecord[]>();
  for (const job of jobs) {
    const p = job.payload as { ids?: unknown; metadata?: unknown; memoryType?: unknown; channelId?: unknown };
    const key =
      job.kind === OBSERVE_JOB
        ? JSON.stringify([job.tenant, OBSERVE_JOB, p.channelId])
        : JSON.stringify([job.tenant, p.ids, p.metadata, p.memoryType]);
    const group = groups.get(key);
    if (group) group.push(job);
    else groups.set(key, [job]);
  }
  return [...groups.values()];
}
