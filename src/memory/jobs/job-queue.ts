import type { JobStore } from '../../spec/job.js';
import type { Store } from '../../spec/store.js';

/** The durable job queue across tenants, as a worker and the server's gauges use it. */
export type JobQueue = Pick<JobStore, 'claimJobs' | 'failJob' | 'renewJobLease' | 'jobCounts'>;

export function jobQueue(open: () => Promise<Store>): JobQueue {
  return {
    claimJobs: async (options) => (await open()).claimJobs(options),
    failJob: async (tenant, id, error, retryAt, at, attempt) =>
      (await open()).failJob(tenant, id, error, retryAt, at, attempt),
    renewJobLease: async (tenant, id, attempt, now, leaseMs) =>
      (await open()).renewJobLease(tenant, id, attempt, now, leaseMs),
    jobCounts: async (tenant) => (await open()).jobCounts(tenant),
  };
}
