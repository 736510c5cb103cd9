import type { FilterNode } from '../../spec/filter.js';
import type { MemoryState } from '../../spec/memory-record.js';
import type { ResolvedWindow } from '../shared/time-window.js';
import { compileFilter } from './pg-filter.js';
import type { SqlFragment } from './pg-sql.js';

/**
 * Which version of a memory a query sees, over `memories m` and `memory_versions v` — the same
 * rule as the SQLite store (src/spec/store.ts): current (window null) is the memory's current
 * version; a window selects the version recorded by knownAt, begun by asOf and not yet ended at
 * asOf unless that ending was recorded after knownAt. Deleted memories are never seen.
 */
export function versionPredicate(window: ResolvedWindow | null): SqlFragment {
  if (window === null) return { sql: 'v.seq = m.version_seq', params: [] };
  return {
    sql: `v.memory_id = m.id AND m.state <> 'deleted' AND v.created_at <= ?::timestamptz
      AND v.valid_from <= ?::timestamptz AND (v.valid_to IS NULL OR v.valid_to > ?::timestamptz
      OR v.expired_at > ?::timestamptz)`,
    params: [window.knownAt, window.asOf, window.asOf, window.knownAt],
  };
}

export function versionJoin(window: ResolvedWindow | null): string {
  return window === null
    ? 'memories m JOIN memory_versions v ON v.seq = m.version_seq'
    : 'memories m JOIN memory_versions v ON v.memory_id = m.id';
}

/** Tenant, version window (or states, for the current view) and the caller's filter as one fragment. */
export function memoryWhere(
  tenant: string,
  filter: FilterNode | null,
  window: ResolvedWindow | null,
  states: readonly MemoryState[] = ['active'],
): SqlFragment {
  const parts: string[] = ['m.tenant = ?'];
  const params: unknown[] = [tenant];
  if (window === null) {
    parts.push('m.state = ANY(?::text[])');
    params.push([...states]);
  } else {
    const version = versionPredicate(window);
    parts.push(version.sql);
    params.push(...version.params);
  }
  if (filter) {
    const compiled = compileFilter(filter, window === null ? 'current' : 'version');
    parts.push(compiled.sql);
    params.push(...compiled.params);
  }
  return { sql: parts.join(' AND '), params };
}
