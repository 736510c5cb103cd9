import type { AuditStore, NewAuditEntry } from '../../spec/audit-log.js';

export interface AuditRecorderOptions {
  /** config.audit.enabled: false records nothing. */
  enabled: boolean;
  /** config.audit.reads: also record gets, lists and searches. */
  reads: boolean;
  /** config.audit.retentionDays: entries older than this are purged. */
  retentionDays: number;
  now: () => string;
  /** How long entries wait before they are written (default 1 s). */
  intervalMs?: number;
  /** Entries held before a flush starts without waiting for the timer (default 1,000). */
  maxPending?: number;
  /** How often a recording process purges expired entries (default hourly). */
  purgeEveryMs?: number;
}

/** Why a batch was not written; the entries of a failed batch are dropped, never the caller's work. */
export type AuditFailureListener = (message: string, fields: { entries: number; error: string }) => void;

const DAY_MS = 86_400_000;

/**
 * Audit entries written beside the request path, never on it (like access counts): `record` only
 * appends to memory; an unref'd timer, a full buffer and `close` write them in one `appendAudit`
 * per batch. A failed batch is counted and reported to the failure listeners (the server's log;
 * without one, a process warning) and dropped: the user's read or write has already happened and
 * is never undone or failed by its audit entry. The process that writes entries also purges the
 * expired ones, at its first flush and at most every `purgeEveryMs` after.
 */
export class AuditRecorder {
  readonly #store: () => Promise<AuditStore | undefined>;
  readonly #options: AuditRecorderOptions;
  readonly #listeners = new Set<AuditFailureListener>();
  #pending: NewAuditEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #lastPurgeMs = Number.NEGATIVE_INFINITY;
  #failures = 0;
  #lastFailure: string | null = null;
  #closed = false;

  constructor(store: () => Promise<AuditStore | undefined>, options: AuditRecorderOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Whether an operation of this kind is recorded (config.audit.enabled, and .reads for reads). */
  wants(kind: 'read' | 'write'): boolean {
    return this.#options.enabled && (kind === 'write' || this.#options.reads);
  }

  get failures(): number {
    return this.#failures;
  }

  get lastFailure(): string | null {
    return this.#lastFailure;
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** Reports every failed batch to `listener` until the returned function is called. */
  onFailure(listener: AuditFailureListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Notes one entry; returns at once. Ignored when auditing is off or after `close`. */
  record(entry: NewAuditEntry): void {
    if (this.#closed || !this.#options.enabled) return;
    this.#pending.push(entry);
    if (this.#pending.length >= (this.#options.maxPending ?? 1000)) {
      void this.flush();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.flush();
      }, this.#options.intervalMs ?? 1000);
      this.#timer.unref();
    }
  }

  /** Writes what is pending (after any flush already running); never rejects. */
  flush(): Promise<void> {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    const batch = this.#pending;
    this.#pending = [];
    this.#flushing = this.#flushing.then(() => this.#write(batch));
    return this.#flushing;
  }

  /** The instant before which entries are expired (now − retentionDays). */
  cutoff(): string {
    return new Date(Date.parse(this.#options.now()) - this.#options.retentionDays * DAY_MS).toISOString();
  }

  /** Writes what is pending and stops; later entries are dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  async #write(batch: NewAuditEntry[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      const store = await this.#store();
      if (!store) throw new Error('the store has no audit log (it lacks the "audit" capability)');
      await store.appendAudit(batch);
      const nowMs = Date.parse(this.#options.now());
      if (nowMs - this.#lastPurgeMs >= (this.#options.purgeEveryMs ?? 3_600_000)) {
        this.#lastPurgeMs = nowMs;
        await store.purgeAudit(null, this.cutoff()).catch((error: unknown) => {
          this.#fail('expired audit entries not purged', 0, error);
        });
      }
    } catch (error) {
      this.#fail('audit entries not written', batch.length, error);
    }
  }

  #fail(what: string, entries: number, error: unknown): void {
    this.#failures += 1;
    this.#lastFailure = error instanceof Error ? error.message : String(error);
    const message = `${what}: ${this.#lastFailure}`;
    const fields = { entries, error: this.#lastFailure };
    if (this.#listeners.size === 0) {
      process.emitWarning(`engram: ${message} (${entries} entries)`, { code: 'AUDIT_WRITE_FAILED' });
      return;
    }
    for (const listener of this.#listeners) listener(message, fields);
  }
}
