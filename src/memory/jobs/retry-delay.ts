const JOB_RETRY_DELAY_MS = 30_000;
const JOB_MAX_RETRY_DELAY_MS = 3_600_000;

/** How long a job retried in this process is leased for. */
export const JOB_LEASE_MS = 120_000;

/** Exponential backoff: 30 s after the first failed attempt, doubling, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(JOB_MAX_RETRY_DELAY_MS, JOB_RETRY_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}
