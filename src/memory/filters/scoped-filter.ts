import type { Filter, FilterNode } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import { andFilters, pinnedScope } from '../../util/filter-tree.js';
import type { ScopeOptions } from '../api-types.js';
import { scopeFilter, scopeIds } from '../resolve-scope.js';
import { type FilterLimits, parseFilter } from './parse-filter.js';

/** Scope ids from options and filters together; the scope must be pinned at the top level. */
export function scopedFilter(
  options: ScopeOptions,
  filters: Filter | undefined,
  operation: string,
  limits: FilterLimits,
): FilterNode | null {
  const filter = andFilters(scopeFilter(scopeIds(options)), parseFilter(filters, limits));
  const pinned = pinnedScope(filter);
  if (!pinned.user_id && !pinned.agent_id && !pinned.run_id) {
    throw new MemoryError(
      'scope_required',
      `${operation} needs a scope: pass a user, agent or run id, or user_id/agent_id/run_id in filters outside any OR/NOT.`,
      { hint: 'scope' },
    );
  }
  return filter;
}
