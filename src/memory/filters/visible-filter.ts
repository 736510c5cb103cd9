import type { FilterNode } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import { andFilters } from '../../util/filter-tree.js';
import type { GetAllOptions } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { QUARANTINED } from '../safety/safety-mark.js';
import { expiredFilter } from './retention.js';
import { scopedFilter } from './scoped-filter.js';

/**
 * What a listing or a search shows: the caller's scoped filter, less expired memories (a passed
 * expirationDate or the retention policy) unless `showExpired`, less quarantined ones unless
 * `includeQuarantined`. One place, so search and getAll never disagree on what is hidden.
 */
export function visibleFilter(
  ctx: MemoryContext,
  options: Pick<
    GetAllOptions,
    | 'filters'
    | 'showExpired'
    | 'includeQuarantined'
    | 'userId'
    | 'agentId'
    | 'runId'
    | 'user_id'
    | 'agent_id'
    | 'run_id'
  >,
  operation: string,
): FilterNode | null {
  const hidden: FilterNode[] = [];
  if (!flag(options.showExpired, 'showExpired')) {
    hidden.push(expiredFilter(ctx.config.retention, ctx.engine.now()));
  }
  if (!flag(options.includeQuarantined, 'includeQuarantined')) hidden.push(QUARANTINED);
  return andFilters(
    scopedFilter(options, options.filters, operation, ctx.config.limits),
    ...hidden.map((child): FilterNode => ({ kind: 'not', child })),
  );
}

function flag(value: unknown, name: string): boolean {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new MemoryError('invalid_input', `${name} must be true or false.`);
  }
  return value === true;
}
