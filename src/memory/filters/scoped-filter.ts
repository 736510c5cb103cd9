import type { Filter, FilterNode } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import { andFilters, pinnedScope } from '../../util/filter-tree.js';
import type { ScopeOptions } from '../api-types.js';
import { scopeFilter, scopeIds } from '../resolve-scope.js';
import { type FilterLimits, parseFilter } from './parse-filter.js';

/**
 * Whether every memory the filter can match lies in a named scope: it pins a user, agent or run
 * at its top level, or it is (an AND holding) an OR whose every branch does — mem0's
 * `{"OR": [{"user_id": "alice"}, {"agent_id": "bot"}]}`.
 */
function scoped(node: FilterNode): boolean {
  const pinned = pinnedScope(node);
  if (pinned.user_id || pinned.agent_id || pinned.run_id) return true;
  if (node.kind === 'or') return node.children.length > 0 && node.children.every(scoped);
  if (node.kind === 'and') return node.children.some(scoped);
  return false;
}

/**
 * Scope ids from options and filters together; the scope must be pinned at the top level, or
 * every branch of an OR must pin one (the stores then search across those scopes' partitions).
 */
export function scopedFilter(
  options: ScopeOptions,
  filters: Filter | undefined,
  operation: string,
  limits: FilterLimits,
): FilterNode | null {
  const filter = andFilters(scopeFilter(scopeIds(options)), parseFilter(filters, limits));
  if (filter === null || !scoped(filter)) {
    throw new MemoryError(
      'scope_required',
      `${operation} needs a scope: pass a user, agent or run id, or user_id/agent_id/run_id in filters outside any NOT (in an OR, every branch must name one).`,
      { hint: 'scope' },
    );
  }
  return filter;
}
