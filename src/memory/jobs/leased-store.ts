import type { JobRecord, LeaseGuard } from '../../spec/job.js';
import type { Store } from '../../spec/store.js';

/**
 * The store as a leased job's run sees it: every write that carries the run's effects is tied to
 * the run's leases. `applyChanges` checks and extends them in its own transaction (so memories
 * are never written by a run whose job another worker took over), and `completeJob` / `failJob`
 * of these jobs only change a job still running under this claim's attempt; otherwise they are
 * `lease_lost` and change nothing (docs/reliability.md, "A job is committed by one run only").
 *
 * A view rather than new parameters through the inference code: that code keeps writing
 * through `ctx.store` as a synchronous add does, and the lease rule stays in one place.
 */
export function leasedStore(store: Store, jobs: JobRecord[], guard: () => Omit<LeaseGuard, 'jobs'>): Store {
  const attempts = new Map(jobs.map((job) => [job.id, job.attempts]));
  const leases = jobs.map((job) => ({ id: job.id, attempt: job.attempts }));
  const overrides: Partial<Store> = {
    applyChanges: (tenant, changes, given, graph) =>
      store.applyChanges(tenant, changes, given ?? { ...guard(), jobs: leases }, graph),
    completeJob: (tenant, id, result, at, attempt) =>
      store.completeJob(tenant, id, result, at, attempt ?? attempts.get(id)),
    failJob: (tenant, id, error, retryAt, at, attempt) =>
      store.failJob(tenant, id, error, retryAt, at, attempt ?? attempts.get(id)),
  };
  return new Proxy(store, {
    get(target, property) {
      const own = Object.hasOwn(overrides, property) ? overrides[property as keyof Store] : undefined;
      if (own !== undefined) return own;
      // Store methods use private fields: call them on the store itself, not on the proxy.
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
