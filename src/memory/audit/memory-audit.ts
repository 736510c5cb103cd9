import type { AuditPage, AuditQuery, AuditStore, NewAuditEntry } from '../../spec/audit-log.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryContext } from '../memory-context.js';
import type { AuditFailureListener } from './audit-recorder.js';

/** An entry as a front end hands it over: the view's tenant and the engine's clock are filled in. */
export type AuditRecord = Omit<NewAuditEntry, 'tenant' | 'at'> & { tenant?: string };

/** `memory.audit`: the audit log of one tenant view (docs/security.md). */
export interface MemoryAudit {
  /** Whether calls of this kind are recorded (config.audit.enabled, and .reads for reads). */
  wants(kind: 'read' | 'write'): boolean;
  /** Buffers one entry (written within a second, or at close); never throws, never waits. */
  record(entry: AuditRecord): void;
  /** This tenant's entries, newest first (limit default 100, at most 1,000). */
  list(query?: Partial<AuditQuery>): Promise<AuditPage>;
  /** Removes the entries of every tenant older than audit.retentionDays; returns how many and the cutoff. */
  purge(): Promise<{ purged: number; before: string }>;
  /** Writes the buffered entries now. */
  flush(): Promise<void>;
  /** Reports every batch that could not be written (the server logs them). */
  onFailure(listener: AuditFailureListener): () => void;
}

export function memoryAudit(ctx: MemoryContext): MemoryAudit {
  const recorder = ctx.engine.audit;
  const store = async (): Promise<AuditStore> => {
    const { store } = await ctx.open();
    if (!store.audit) {
      throw new MemoryError(
        'invalid_config',
        `The ${store.dialect} store has no audit log (it lacks the "audit" capability); use the sqlite or postgres store, or set audit.enabled to false.`,
      );
    }
    return store.audit;
  };
  return {
    wants: (kind) => recorder.wants(kind),
    record: (entry) =>
      recorder.record({ ...entry, tenant: entry.tenant ?? ctx.tenant, at: ctx.engine.now() }),
    list: async (query = {}) => {
      // Entries still in the buffer are written first, so a read right after a call sees it.
      await recorder.flush();
      return (await store()).listAudit(ctx.tenant, { ...query, limit: query.limit ?? 100 });
    },
    purge: async () => {
      const before = recorder.cutoff();
      return { purged: await (await store()).purgeAudit(null, before), before };
    },
    flush: () => recorder.flush(),
    onFailure: (listener) => recorder.onFailure(listener),
  };
}
