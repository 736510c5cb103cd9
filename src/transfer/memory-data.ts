import type { ScopeOptions } from '../memory/api-types.js';
import type { MemoryContext } from '../memory/memory-context.js';
import { scopeIds } from '../memory/resolve-scope.js';
import type { ErasureCounts, Store } from '../spec/store.js';
import { type ExportOptions, exportData, type ImportReport, importData } from './data-transfer.js';
import type { ExportHeader, ParsedExport } from './export-format.js';

/** `memory.data`: the data-lifecycle operations of one tenant view. */
export interface MemoryData {
  export(
    options: Omit<ExportOptions, 'now'>,
    write: (line: string) => void | Promise<void>,
  ): Promise<ExportHeader>;
  import(parsed: ParsedExport, progressKey: string): Promise<ImportReport>;
  /** Right to be forgotten: every trace of the scope, history included (Store.eraseScope). */
  erase(scope: ScopeOptions): Promise<ErasureCounts>;
}

export function memoryData(ctx: MemoryContext): MemoryData {
  const store = async (): Promise<Store> => (await ctx.open()).store;
  const tenant = ctx.tenant;
  const now = () => ctx.engine.now();
  return {
    export: async (options, write) => exportData(await store(), { ...options, now: now() }, write),
    import: async (parsed, progressKey) => importData(await store(), parsed, progressKey),
    erase: async (scope) => {
      const ids = scopeIds(scope);
      return (await store()).eraseScope(tenant, {
        userId: ids.userId ?? undefined,
        agentId: ids.agentId ?? undefined,
        runId: ids.runId ?? undefined,
      });
    },
  };
}
