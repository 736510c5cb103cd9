import type { JobRecord, JobStore } from '../../spec/job.js';

export interface LeaseHeartbeat {
  /** Ids of jobs whose lease another claim took over (renewal said no). */
  readonly lost: ReadonlySet<string>;
  stop(): void;
}

/** Renewals per lease: a third leaves two renewals' slack for a slow store or a busy process. */
const RENEWALS_PER_LEASE = 3;

/**
 * Keeps the leases of jobs in hand while they run: every `leaseMs / 3` each lease is extended to
 * `now + leaseMs`, as long as it is still this claim's. A job whose lease was lost stays lost (a
 * later commit of it is refused by the store); a renewal that fails (a locked database) is tried
 * again on the next beat. The timer is unref'd: it never keeps a process alive on its own.
 */
export function holdLeases(
  store: Pick<JobStore, 'renewJobLease'>,
  jobs: JobRecord[],
  leaseMs: number,
  now: () => string,
): LeaseHeartbeat {
  const lost = new Set<string>();
  let beating = false;
  const beat = async () => {
    if (beating) return;
    beating = true;
    try {
      for (const job of jobs) {
        if (lost.has(job.id)) continue;
        const held = await store
          .renewJobLease(job.tenant, job.id, job.attempts, now(), leaseMs)
          .catch(() => true); // unknown: the next beat asks again
        if (!held) lost.add(job.id);
      }
    } finally {
      beating = false;
    }
  };
  const timer = setInterval(() => void beat(), Math.max(1, Math.floor(leaseMs / RENEWALS_PER_LEASE)));
  timer.unref();
  return { lost, stop: () => clearInterval(timer) };
}
