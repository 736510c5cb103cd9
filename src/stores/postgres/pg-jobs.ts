import type { JobLease, JobRecord, JobState, JobStore, LeaseGuard, NewJob } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import { type JobRow as JobRowOf, leaseLost, toJob as toJobOf } from '../shared/store-rows.js';
import type { PgConnection, PgQuery } from './pg-connection.js';

/** A jobs row as the driver hands it back: jsonb parsed (a JSON string payload stays a string). */
type JobRow = JobRowOf<JsonValue> & { seq: number };
const toJob = (row: JobRow) => toJobOf(row, (value) => value);

/**
 * The durable job queue in PostgreSQL, shared by every engram process on the database. Every
 * write is one `connection.write` transaction; a write that decides from a job's current state
 * (lease checks, retries) first locks its row, so a claim by another process cannot slip in
 * between the check and the change.
 */
export class PgJobs implements JobStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  async #get(q: PgQuery, tenant: string, id: string, lock = false): Promise<JobRow | undefined> {
    const sql = `SELECT * FROM jobs WHERE tenant = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`;
    return q.one<JobRow>(sql, [tenant, id]);
  }

  async #require(q: PgQuery, tenant: string, id: string): Promise<JobRow> {
    const row = await this.#get(q, tenant, id, true);
    if (!row)
      throw new MemoryError('not_found', `No job with id ${id}.`, { details: { id }, hint: 'list_jobs' });
    return row;
  }

  async enqueueJob(tenant: string, job: NewJob, at: string): Promise<{ job: JobRecord; created: boolean }> {
    return this.#connection.write(async (q) => {
      // ON CONFLICT rather than look-then-insert: two processes enqueueing the same key at once
      // both land here, and the second waits for the first's commit instead of failing.
      const keyed = Boolean(job.idempotencyKey);
      const row = await q.one<JobRow>(
        `INSERT INTO jobs(id, tenant, kind, payload, state, attempts, max_attempts, next_attempt_at, last_error,
           idempotency_key, created_at, updated_at)
         VALUES ($1, $2, $3, $4::jsonb, 'pending', $5, $6, $7::timestamptz, $8, $9, $10::timestamptz, $10::timestamptz)
         ${keyed ? 'ON CONFLICT (tenant, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING' : ''}
         RETURNING *`,
        [
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
        ],
      );
      if (row) return { job: toJob(row), created: true };
      // READ COMMITTED: this statement sees the row the conflicting transaction committed.
      const existing = await q.one<JobRow>('SELECT * FROM jobs WHERE tenant = $1 AND idempotency_key = $2', [
        tenant,
        job.idempotencyKey,
      ]);
      // Jobs are never deleted; only a hand-edited table could lose the conflicting row.
      if (!existing) throw new MemoryError('conflict', `Job ${job.id} was not queued; try again.`);
      return { job: toJob(existing), created: false };
    });
  }

  async claimJobs(options: Parameters<JobStore['claimJobs']>[0]): Promise<JobRecord[]> {
    const lockedUntil = new Date(Date.parse(options.now) + options.leaseMs).toISOString();
    return this.#connection.write(async (q) => {
      const params: unknown[] = [options.now];
      const kinds = options.kinds ? `AND kind = ANY($${params.push(options.kinds)}::text[])` : '';
      const ids = options.ids ? `AND id = ANY($${params.push(options.ids)}::text[])` : '';
      const limit = `$${params.push(options.limit)}`;
      // SKIP LOCKED: a row another process is claiming (or finishing) right now is passed over,
      // never claimed twice; the lock holds until this transaction's UPDATE commits.
      const due = await q.rows<{ seq: number }>(
        `SELECT seq FROM jobs
         WHERE ((state = 'pending' AND next_attempt_at <= $1::timestamptz)
            OR (state = 'running' AND locked_until <= $1::timestamptz))
         ${kinds} ${ids}
         ORDER BY next_attempt_at, seq LIMIT ${limit}
         FOR UPDATE SKIP LOCKED`,
        params,
      );
      if (due.length === 0) return [];
      const claimed = await q.rows<JobRow>(
        `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = $1::timestamptz,
           updated_at = $2::timestamptz
         WHERE seq = ANY($3::bigint[]) RETURNING *`,
        [lockedUntil, options.now, due.map((r) => r.seq)],
      );
      // RETURNING has no order: hand them back in the order they were due, as SQLite does.
      const bySeq = new Map(claimed.map((row) => [row.seq, row]));
      return due.flatMap((r) => {
        const row = bySeq.get(r.seq);
        return row ? [toJob(row)] : [];
      });
    });
  }

  /**
   * Inside a write transaction: extends the lease while the job still runs under `attempt` (the
   * claim's token, see JobLease); false when another claim took it or it finished.
   */
  async holdLease(
    q: PgQuery,
    tenant: string,
    lease: JobLease,
    now: string,
    leaseMs: number,
  ): Promise<boolean> {
    const lockedUntil = new Date(Date.parse(now) + leaseMs).toISOString();
    // GREATEST: a renewal never shortens a lease (the clocks of two processes may disagree a little).
    const changed = await q.run(
      `UPDATE jobs SET locked_until = GREATEST(coalesce(locked_until, '-infinity'::timestamptz), $1::timestamptz),
         updated_at = $2::timestamptz
       WHERE tenant = $3 AND id = $4 AND state = 'running' AND attempts = $5`,
      [lockedUntil, now, tenant, lease.id, lease.attempt],
    );
    return changed === 1;
  }

  /**
   * Inside the caller's write transaction (`applyChanges`): `lease_lost` unless every lease is
   * still held (each is extended, and its row stays locked until that transaction ends).
   */
  async requireLeases(q: PgQuery, tenant: string, guard: LeaseGuard): Promise<void> {
    for (const lease of guard.jobs) {
      if (!(await this.holdLease(q, tenant, lease, guard.now, guard.leaseMs)))
        throw leaseLost(await this.#get(q, tenant, lease.id), lease);
    }
  }

  async renewJobLease(
    tenant: string,
    id: string,
    attempt: number,
    now: string,
    leaseMs: number,
  ): Promise<boolean> {
    return this.#connection.write((q) => this.holdLease(q, tenant, { id, attempt }, now, leaseMs));
  }

  /** The job, locked, which must still run under `attempt` when one is given (a lease-checked write). */
  async #requireHeld(q: PgQuery, tenant: string, id: string, attempt: number | undefined): Promise<JobRow> {
    const row = await this.#require(q, tenant, id);
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
    await this.#connection.write(async (q) => {
      await this.#requireHeld(q, tenant, id, attempt);
      await q.run(
        `UPDATE jobs SET state = 'done', result = $1::jsonb, locked_until = NULL, updated_at = $2::timestamptz
         WHERE tenant = $3 AND id = $4`,
        [JSON.stringify(result), at, tenant, id],
      );
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
    return this.#connection.write(async (q) => {
      const row = await this.#requireHeld(q, tenant, id, attempt);
      const dead = retryAt === null || row.attempts >= row.max_attempts;
      const updated = await q.one<JobRow>(
        `UPDATE jobs SET state = $1, last_error = $2, next_attempt_at = $3::timestamptz, locked_until = NULL,
           updated_at = $4::timestamptz
         WHERE tenant = $5 AND id = $6 RETURNING *`,
        [dead ? 'dead' : 'pending', error, retryAt ?? row.next_attempt_at, at, tenant, id],
      );
      return toJob(updated!);
    });
  }

  async getJob(tenant: string, id: string): Promise<JobRecord | null> {
    const row = await this.#connection.withClient((q) => this.#get(q, tenant, id));
    return row ? toJob(row) : null;
  }

  async listJobs(tenant: string, options: { states?: JobState[]; limit: number }): Promise<JobRecord[]> {
    const states = options.states ?? ['pending', 'running', 'dead'];
    const rows = await this.#connection.withClient((q) =>
      q.rows<JobRow>(
        'SELECT * FROM jobs WHERE tenant = $1 AND state = ANY($2::text[]) ORDER BY seq DESC LIMIT $3',
        [tenant, states, options.limit],
      ),
    );
    return rows.map(toJob);
  }

  async retryJob(tenant: string, id: string, at: string): Promise<JobRecord> {
    return this.#connection.write(async (q) => {
      const row = await this.#require(q, tenant, id);
      if (row.state === 'done' || row.state === 'running') {
        throw new MemoryError(
          'invalid_input',
          `Job ${id} is ${row.state}; only pending or dead jobs can be retried.`,
        );
      }
      const updated = await q.one<JobRow>(
        `UPDATE jobs SET state = 'pending', next_attempt_at = $1::timestamptz, max_attempts = attempts + $2,
           updated_at = $1::timestamptz
         WHERE tenant = $3 AND id = $4 RETURNING *`,
        [at, Math.max(1, row.max_attempts - row.attempts, 3), tenant, id],
      );
      return toJob(updated!);
    });
  }

  async jobCounts(
    tenant: string | null,
  ): Promise<Record<JobState, number> & { oldestPendingAt: string | null }> {
    const rows = await this.#connection.withClient((q) =>
      q.rows<{ state: JobState; n: number; oldest: string }>(
        `SELECT state, count(*) AS n, min(created_at) AS oldest FROM jobs ${tenant === null ? '' : 'WHERE tenant = $1'}
         GROUP BY state`,
        tenant === null ? [] : [tenant],
      ),
    );
    const counts = { pending: 0, running: 0, done: 0, dead: 0, oldestPendingAt: null as string | null };
    for (const r of rows) {
      counts[r.state] = r.n;
      if (r.state === 'pending') counts.oldestPendingAt = r.oldest;
    }
    return counts;
  }
}
