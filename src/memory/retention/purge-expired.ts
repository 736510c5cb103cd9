import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryState } from '../../spec/memory-record.js';
import type { MemoryErasureCounts, Store } from '../../spec/store.js';
import { expiredFilter, type RetentionDays } from '../filters/retention.js';
import type { MemoryContext } from '../memory-context.js';

/** Memories listed per page while collecting, and erased per store call. */
const PAGE = 500;
const STATES: MemoryState[] = ['active', 'superseded', 'deleted'];

/** What one tenant's purge found and removed. */
export interface TenantPurge extends MemoryErasureCounts {
  tenant: string;
}

/** What a purge did: totals, and per tenant. With dryRun, `memories` counts what would go and nothing else is set. */
export interface PurgeReport extends MemoryErasureCounts {
  dryRun: boolean;
  at: string;
  tenants: TenantPurge[];
}

/**
 * Erases the memories of `tenants` expired at `now` — a passed expirationDate or the retention
 * policy — of every state, through Store.eraseMemories (every trace, bytes included). The ids are
 * collected first (pages of one listing), then erased in chunks; a dry run only counts them.
 */
export async function purgeExpired(
  store: Store,
  tenants: readonly string[],
  days: RetentionDays,
  now: string,
  dryRun: boolean,
): Promise<PurgeReport> {
  const filter = expiredFilter(days, now);
  const report: PurgeReport = { dryRun, at: now, tenants: [], memories: 0, versions: 0, history: 0 };
  for (const tenant of tenants) {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.listMemories(tenant, { filter, states: STATES, limit: PAGE, cursor });
      ids.push(...page.items.map((m) => m.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const entry: TenantPurge = { tenant, memories: 0, versions: 0, history: 0 };
    if (dryRun) entry.memories = ids.length;
    else {
      for (let i = 0; i < ids.length; i += PAGE) {
        const counts = await store.eraseMemories(tenant, ids.slice(i, i + PAGE));
        entry.memories += counts.memories;
        entry.versions += counts.versions;
        entry.history += counts.history;
      }
    }
    if (entry.memories === 0) continue;
    report.tenants.push(entry);
    report.memories += entry.memories;
    report.versions += entry.versions;
    report.history += entry.history;
  }
  return report;
}

/**
 * Erases the memories expired at the engine's clock — a passed expirationDate, or the retention
 * policy (config.retention) — of the context's tenant, or of every tenant with `allTenants`.
 */
export async function purgeTenants(
  ctx: MemoryContext,
  options: { dryRun?: boolean; allTenants?: boolean },
): Promise<PurgeReport> {
  for (const name of ['dryRun', 'allTenants'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'boolean') {
      throw new MemoryError('invalid_input', `purgeExpired: ${name} must be true or false.`);
    }
  }
  const { store } = await ctx.open();
  const tenants = options.allTenants === true ? await store.memoryTenants() : [ctx.tenant];
  return purgeExpired(store, tenants, ctx.config.retention, ctx.engine.now(), options.dryRun === true);
}
