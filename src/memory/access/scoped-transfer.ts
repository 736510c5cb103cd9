import { createHash } from 'node:crypto';
import { MemoryError } from '../../spec/memory-error.js';
import type { ImportReport } from '../../transfer/data-transfer.js';
import { type ExportHeader, parseExport } from '../../transfer/export-format.js';
import type { ScopeOptions } from '../api-types.js';
import type { ScopedMemory } from './scoped-memory.js';

/**
 * Export and import as one principal may use them (REST GET /export, POST /import, MCP
 * export_scope), with the rules of ScopedMemory: the tenant is the key's, a pinned key's pin is
 * ANDed into the scope (so it exports its own user or agent only), a tenant-wide export and any
 * import need an admin key.
 */
export function scopedExport(
  scoped: ScopedMemory,
  options: ScopeOptions & { withVectors?: boolean },
  write: (line: string) => void | Promise<void>,
): Promise<ExportHeader> {
  const scope = scoped.scope(options);
  const ids = {
    ...(scope.userId === undefined ? {} : { userId: scope.userId }),
    ...(scope.agentId === undefined ? {} : { agentId: scope.agentId }),
    ...(scope.runId === undefined ? {} : { runId: scope.runId }),
  };
  const wide = Object.keys(ids).length === 0;
  // A tenant-wide export lists the tenant's keys and every scope: an admin's business.
  if (wide) scoped.requireAdmin('Exporting the whole tenant (no user_id, agent_id or run_id)');
  return scoped.memory.data.export(
    { tenant: scoped.principal.tenant, scope: wide ? null : ids, withVectors: options.withVectors === true },
    write,
  );
}

/**
 * Imports an export file into the principal's tenant: admin keys only; the whole file is checked
 * first (parseExport: a malformed or truncated file is refused with its line, nothing written),
 * then every row must belong to this tenant — and, for a pinned admin, lie within its pin — or
 * the file is refused, naming the first row that does not. Idempotent like `engram import`.
 */
export function scopedImport(scoped: ScopedMemory, text: string): Promise<ImportReport> {
  scoped.requireAdmin('Importing');
  const parsed = parseExport(text);
  const { tenant, pin } = scoped.principal;
  let line = 1;
  for (const rows of Object.values(parsed.rows)) {
    for (const row of rows as { tenant: string; userId?: string | null; agentId?: string | null }[]) {
      line += 1;
      if (row.tenant !== tenant) {
        throw new MemoryError(
          'scope_forbidden',
          `Line ${line} of the file belongs to tenant "${row.tenant}"; this key imports into "${tenant}" only. Nothing was imported.`,
          { details: { line, tenant: row.tenant } },
        );
      }
      const outside =
        (pin.userId !== null && row.userId !== pin.userId) ||
        (pin.agentId !== null && row.agentId !== pin.agentId);
      if (outside) {
        throw new MemoryError(
          'scope_forbidden',
          `Line ${line} of the file lies outside this key's pin (user_id ${pin.userId ?? '*'}, agent_id ${pin.agentId ?? '*'}). Nothing was imported.`,
          { details: { line } },
        );
      }
    }
  }
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return scoped.memory.data.import(parsed, `import:${digest}`);
}
