import type { SearchOptions } from '../api-types.js';
import { visibleFilter } from '../filters/visible-filter.js';
import type { MemoryContext } from '../memory-context.js';
import { redactSecrets } from '../safety/redact-secrets.js';
import { timeWindow } from '../time-window.js';
import { checkText, checkThreshold, MAX_PAGE, pageLimit } from '../validate-input.js';
import type { FindRequest } from './find-memories.js';

/** A search's query and options, checked: the scope, the filter (expired memories hidden), the page, the window. */
export function checkSearch(ctx: MemoryContext, query: string, options: SearchOptions): FindRequest {
  const now = ctx.engine.now();
  const window = timeWindow(options, now);
  return {
    // Redacted as stored texts are, so a query reaches the embedder without the secrets either.
    query: redactSecrets(checkText(query, ctx.config.limits, 'The search query'), ctx.config.safety.redact),
    filter: visibleFilter(ctx, options, 'A search'),
    limit: pageLimit(options, ctx.config.search.defaultLimit, MAX_PAGE),
    threshold: checkThreshold(options.threshold),
    asOf: window?.asOf,
    knownAt: window?.knownAt,
    mode: options.mode,
    explain: !!options.explain,
  };
}
