import type { Memory } from '../memory/memory.js';
import type { PurgeReport } from '../memory/retention/purge-expired.js';

export interface RetentionPurgerOptions {
  /** Minutes between purges (config.retention.purgeEveryMinutes). */
  everyMinutes: number;
  /** Each purge's report (the server logs those that erased something). */
  onPurge?: (report: PurgeReport) => void;
  /** A purge that failed; the next one runs on schedule. */
  onError?: (error: unknown) => void;
}

/**
 * The scheduled purge of `engram serve` (config.retention.purge): erases the expired memories of
 * every tenant once at start, then every `everyMinutes`, one purge at a time. Started and stopped
 * with the server like the ingest worker; stop waits for a purge in progress.
 */
export class RetentionPurger {
  readonly #memory: Memory;
  readonly #options: RetentionPurgerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = true;
  /** Purges completed (for tests and gauges). */
  runs = 0;

  constructor(memory: Memory, options: RetentionPurgerOptions) {
    this.#memory = memory;
    this.#options = options;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One purge of every tenant now (what each scheduled run does). */
  async purgeNow(): Promise<PurgeReport> {
    const report = await this.#memory.purgeExpired({ allTenants: true });
    this.runs += 1;
    this.#options.onPurge?.(report);
    return report;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#running = this.purgeNow()
        .then(
          () => undefined,
          (error: unknown) => this.#options.onError?.(error),
        )
        .finally(() => {
          this.#running = undefined;
          if (!this.#stopped) this.#schedule(this.#options.everyMinutes * 60_000);
        });
    }, delayMs);
    // A pending purge never keeps the process alive on its own.
    this.#timer.unref();
  }
}
