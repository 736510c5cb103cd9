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
  completeJob(tenant: string, id: string, result: JsonValue, at: string): Promise<void>;
  /** Back to pending at `retryAt`, or dead when attempts are spent (or retryAt is null). */
  failJob(tenant: string, id: string, error: string, retryAt: string | null, at: string): Promise<JobRecord>;
  getJob(tenant: string, id: string): Promise<JobRecord | null>;
  listJobs(tenant: string, options: { states?: JobState[]; limit: number }): Promise<JobRecord[]>;
  /** Makes a dead or pending job due now, with a fresh attempt budget. */
  retryJob(tenant: string, id: string, at: string): Promise<JobRecord>;
  jobCounts(tenant: string | null): Promise<Record<JobState, number> & { oldestPendingAt: string | null }>;
}
