import type { JsonValue } from './memory-record.js';

export type JobState = 'pending' | 'running' | 'done' | 'dead';

/** A unit of deferred work (an inference that failed or was queued), kept in the store until done. */
export interface JobRecord {
  id: string;
  tenant: string;
  kind: string;
  payload: JsonValue;
  state: JobState;
  attempts: number;
  maxAttempts: number;
  nextAttemptAt: string;
  lockedUntil: string | null;
  lastError: string | null;
  idempotencyKey: string | null;
  result: JsonValue | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewJob {
  id: string;
  kind: string;
  payload: JsonValue;
  maxAttempts: number;
  runAt: string;
  idempotencyKey?: string | null;
  /** Recorded as the first failure when the job is born from one (a synchronous add that failed). */
  lastError?: string | null;
  attempts?: number;
}

/**
 * A claim's hold on a job. The attempt number a claim gave the job is the lease's token: every
 * claim increments it, so a worker whose job was claimed again (its lease ran out) holds a stale
 * number, and every lease-checked write of that worker is refused with `lease_lost`.
 */
export interface JobLease {
  id: string;
  attempt: number;
}

/**
 * Passed with a write (`applyChanges`) that carries a job's effects: the write happens only while
 * every lease is still held, and extends them to `now + leaseMs` in the same transaction.
 */
export interface LeaseGuard {
  jobs: JobLease[];
  now: string;
  leaseMs: number;
}

export interface JobStore {
  /** Idempotent on (tenant, idempotencyKey): a repeat returns the first job with `created: false`. */
  enqueueJob(tenant: string, job: NewJob, at: string): Promise<{ job: JobRecord; created: boolean }>;
  /** Leases up to `limit` due jobs (pending, or running with an expired lease) of any tenant. */
  claimJobs(options: {
    limit: number;
    now: string;
    leaseMs: number;
    kinds?: string[];
    ids?: string[];
  }): Promise<JobRecord[]>;
  /**
   * Marks the job done. With `attempt` (the claim's, see JobLease) only while that lease is held:
   * otherwise `lease_lost` and nothing changes.
   */
  completeJob(tenant: string, id: string, result: JsonValue, at: string, attempt?: number): Promise<void>;
  /**
   * Back to pending at `retryAt`, or dead when attempts are spent (or retryAt is null). With
   * `attempt`, only while that lease is held (else `lease_lost`), like completeJob.
   */
  failJob(
    tenant: string,
    id: string,
    error: string,
    retryAt: string | null,
    at: string,
    attempt?: number,
  ): Promise<JobRecord>;
  /**
   * Extends the lease to `now + leaseMs` while it is still this claim's (the job is running under
   * `attempt`); false, changing nothing, once another claim took the job or it finished.
   */
  renewJobLease(tenant: string, id: string, attempt: number, now: string, leaseMs: number): Promise<boolean>;
  getJob(tenant: string, id: string): Promise<JobRecord | null>;
  listJobs(tenant: string, options: { states?: JobState[]; limit: number }): Promise<JobRecord[]>;
  /** Makes a dead or pending job due now, with a fresh attempt budget. */
  retryJob(tenant: string, id: string, at: string): Promise<JobRecord>;
  jobCounts(tenant: string | null): Promise<Record<JobState, number> & { oldestPendingAt: string | null }>;
}
