import type { FilterNode } from '../../spec/filter.js';
import type { MemoryState } from '../../spec/memory-record.js';
import type { ResolvedWindow } from '../shared/time-window.js';
import { compileFilter, type SqlFragment, type SqlParam } from './compile-filter.js';

/**
 * Which version of a memory a query sees, over `memories m` and `memory_versions v`:
 * - current (window null): the memory's current version (`v.seq = m.version_seq`);
 * - a window: the version true at asOf as known at knownAt — recorded by knownAt, begun by
 *   asOf, and not yet ended at asOf unless that ending was recorded after knownAt.
 * Deleted memories are never seen through a window.
 */
export function versionPredicate(window: ResolvedWindow | null): SqlFragment {
  if (window === null) return { sql: 'v.seq = m.version_seq', params: [] };
  return {
    sql: `v.memory_id = m.id AND m.state <> 'deleted' AND v.created_at <= ? AND v.valid_from <= ?
      AND (v.valid_to IS NULL OR v.valid_to > ? OR v.expired_at > ?)`,
    params: [window.knownAt, window.asOf, window.asOf, window.knownAt],
  };
}

/** The join from `memories m` to the version it shows (the rest of the predicate goes in WHERE). */
export function versionJoin(window: ResolvedWindow | null): string {
  return window === null
    ? 'memories m JOIN memory_versions v ON v.seq = m.version_seq'
    : 'memories m JOIN memory_versions v ON v.memory_id = m.id';
}

/**
 * The tenant predicate, the version window (or, for the current view, the states) and the
 * caller's filter, as one fragment. The current view needs only `memories m` (its row holds the
 * current version's text, hash, version and seq); a window needs `m` joined to `v` (versionJoin).
 */
export function memoryWhere(
  tenant: string,
  filter: FilterNode | null,
  window: ResolvedWindow | null,
  states: readonly MemoryState[] = ['active'],
): SqlFragment {
  const parts: string[] = ['m.tenant = ?'];
  const params: SqlParam[] = [tenant];
  if (window === null) {
    parts.push(`m.state IN (${states.map(() => '?').join(', ')})`);
    params.push(...states);
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
