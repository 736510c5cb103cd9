import type { JobLease, JobRecord, JobState, JobStore, LeaseGuard, NewJob } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import { type JobRow, leaseLost, toJob as toJobOf } from '../shared/store-rows.js';
import type { SqliteConnection } from './sqlite-connection.js';

const toJob = (row: JobRow) => toJobOf(row, (text) => JSON.parse(text) as JsonValue);

/** The durable job queue inside the SQLite file; every write is one `connection.write` transaction. */
export class SqliteJobs implements JobStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  get #db() {
    return this.#connection.db;
  }

  #tx<T>(fn: () => T): T {
    return this.#connection.write(fn);
  }

  #get(tenant: string, id: string): JobRow | undefined {
    return this.#db.prepare('SELECT * FROM jobs WHERE tenant = ? AND id = ?').get(tenant, id) as
      | JobRow
      | undefined;
  }

  #require(tenant: string, id: string): JobRow {
    const row = this.#get(tenant, id);
    if (!row)
      throw new MemoryError('not_found', `No job with id ${id}.`, { details: { id }, hint: 'list_jobs' });
    return row;
  }

  async enqueueJob(tenant: string, job: NewJob, at: string): Promise<{ job: JobRecord; created: boolean }> {
    return this.#tx(() => {
      if (job.idempotencyKey) {
        const existing = this.#db
          .prepare('SELECT * FROM jobs WHERE tenant = ? AND idempotency_key = ?')
          .get(tenant, job.idempotencyKey) as JobRow | undefined;
        if (existing) return { job: toJob(existing), created: false };
      }
      const row = this.#db
        .prepare(
          `INSERT INTO jobs(id, tenant, kind, payload, state, attempts, max_attempts, next_attempt_at, last_error,
             idempotency_key, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
        )
        .get(
          job.id,
          tenant,
          job.kind,
          JSON.stringify(job.payload),
          job.attempts ?? 0,
          job.maxAttempts,
          job.runAt,
          job.lastError ?? null,
          job.idempotencyKey ?? null,
          at,
          at,
        ) as JobRow;
      return { job: toJob(row), created: true };
    });
  }

  async claimJobs(options: {
    limit: number;
    now: string;
    leaseMs: number;
    kinds?: string[];
    ids?: string[];
  }): Promise<JobRecord[]> {
    const lockedUntil = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
    return this.#tx(() => {
      const kinds = options.kinds ?? null;
      const rows = this.#db
        .prepare(
          `SELECT seq FROM jobs
           WHERE ((state = 'pending' AND next_attempt_at <= ?) OR (state = 'running' AND locked_until <= ?))
           ${kinds ? 'AND kind IN (SELECT value FROM json_each(?))' : ''}
           ${options.ids ? 'AND id IN (SELECT value FROM json_each(?))' : ''}
           ORDER BY next_attempt_at, seq LIMIT ?`,
        )
        .all(
          options.now,
          options.now,
          ...(kinds ? [JSON.stringify(kinds)] : []),
          ...(options.ids ? [JSON.stringify(options.ids)] : []),
          options.limit,
        ) as { seq: number }[];
      const claim = this.#db.prepare(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?, updated_at = ?
         WHERE seq = ? RETURNING *`,
      );
      return rows.map((r) => toJob(claim.get(lockedUntil, options.now, r.seq) as JobRow));
    });
  }

  /**
   * Inside a write transaction: extends the lease while the job still runs under `attempt` (the
   * claim's token, see JobLease); false when another claim took it or it finished.
   */
  holdLease(tenant: string, lease: JobLease, now: string, leaseMs: number): boolean {
    const lockedUntil = new Date(Date.parse(now) + leaseMs).toISOString();
    // max(): a renewal never shortens a lease (the clocks of two processes may disagree a little).
    return (
      this.#db
        .prepare(
          `UPDATE jobs SET locked_until = max(coalesce(locked_until, ''), ?), updated_at = ?
           WHERE tenant = ? AND id = ? AND state = 'running' AND attempts = ?`,
        )
        .run(lockedUntil, now, tenant, lease.id, lease.attempt).changes === 1
    );
  }

  /** Inside a write transaction: `lease_lost` unless every lease is still held (each is extended). */
  requireLeases(tenant: string, guard: LeaseGuard): void {
    for (const lease of guard.jobs) {
      if (!this.holdLease(tenant, lease, guard.now, guard.leaseMs))
        throw leaseLost(this.#get(tenant, lease.id), lease);
    }
  }

  async renewJobLease(
    tenant: string,
    id: string,
    attempt: number,
    now: string,
    leaseMs: number,
  ): Promise<boolean> {
    return this.#tx(() => this.holdLease(tenant, { id, attempt }, now, leaseMs));
  }

  /** The job, which must still run under `attempt` when one is given (a lease-checked write). */
  #requireHeld(tenant: string, id: string, attempt: number | undefined): JobRow {
    const row = this.#require(tenant, id);
    if (attempt !== undefined && (row.state !== 'running' || row.attempts !== attempt)) {
      throw leaseLost(row, { id, attempt });
    }
    return row;
  }

  async completeJob(
    tenant: string,
    id: string,
    result: JsonValue,
    at: string,
    attempt?: number,
  ): Promise<void> {
    this.#tx(() => {
      this.#requireHeld(tenant, id, attempt);
      this.#db
        .prepare(
          `UPDATE jobs SET state = 'done', result = ?, locked_until = NULL, updated_at = ? WHERE tenant = ? AND id = ?`,
        )
        .run(JSON.stringify(result), at, tenant, id);
    });
  }

  async failJob(
    tenant: string,
    id: string,
    error: string,
    retryAt: string | null,
    at: string,
    attempt?: number,
  ): Promise<JobRecord> {
    return this.#tx(() => {
      const row = this.#requireHeld(tenant, id, attempt);
      const dead = retryAt === null || row.attempts >= row.max_attempts;
      return toJob(
        this.#db
          .prepare(
            `UPDATE jobs SET state = ?, last_error = ?, next_attempt_at = ?, locked_until = NULL, updated_at = ?
             WHERE tenant = ? AND id = ? RETURNING *`,
          )
          .get(dead ? 'dead' : 'pending', error, retryAt ?? row.next_attempt_at, at, tenant, id) as JobRow,
      );
    });
  }

  async getJob(tenant: string, id: string): Promise<JobRecord | null> {
    const row = this.#get(tenant, id);
    return row ? toJob(row) : null;
  }

  async listJobs(tenant: string, options: { states?: JobState[]; limit: number }): Promise<JobRecord[]> {
    const states = options.states ?? ['pending', 'running', 'dead'];
    return (
      this.#db
        .prepare(
          'SELECT * FROM jobs WHERE tenant = ? AND state IN (SELECT value FROM json_each(?)) ORDER BY seq DESC LIMIT ?',
        )
        .all(tenant, JSON.stringify(states), options.limit) as JobRow[]
    ).map(toJob);
  }

  async retryJob(tenant: string, id: string, at: string): Promise<JobRecord> {
    return this.#tx(() => {
      const row = this.#require(tenant, id);
      if (row.state === 'done' || row.state === 'running') {
        throw new MemoryError(
          'invalid_input',
          `Job ${id} is ${row.state}; only pending or dead jobs can be retried.`,
        );
      }
      return toJob(
        this.#db
          .prepare(
            `UPDATE jobs SET state = 'pending', next_attempt_at = ?, max_attempts = attempts + ?, updated_at = ?
             WHERE tenant = ? AND id = ? RETURNING *`,
          )
          .get(at, Math.max(1, row.max_attempts - row.attempts, 3), at, tenant, id) as JobRow,
      );
    });
  }

  async jobCounts(
    tenant: string | null,
  ): Promise<Record<JobState, number> & { oldestPendingAt: string | null }> {
    const rows = this.#db
      .prepare(
        `SELECT state, count(*) AS n, min(created_at) AS oldest FROM jobs ${tenant === null ? '' : 'WHERE tenant = ?'} GROUP BY state`,
      )
      .all(...(tenant === null ? [] : [tenant])) as { state: JobState; n: number; oldest: string }[];
    const counts = { pending: 0, running: 0, done: 0, dead: 0, oldestPendingAt: null as string | null };
    for (const r of rows) {
      counts[r.state] = r.n;
      if (r.state === 'pending') counts.oldestPendingAt = r.oldest;
    }
    return counts;
  }
}
