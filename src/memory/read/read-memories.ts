import type {
  GetAllOptions,
  GetAllResult,
  GetOptions,
  HistoryItem,
  MemoryItem,
  VersionItem,
} from '../api-types.js';
import { visibleFilter } from '../filters/visible-filter.js';
import type { MemoryContext } from '../memory-context.js';
import { memoryNotFound } from '../memory-not-found.js';
import { toHistoryItem, toMemoryItem, toVersionItem } from '../render-item.js';
import { noVersionAt, timeWindow } from '../time-window.js';
import { checkId, checkOffset, checkStates, MAX_PAGE, pageLimit } from '../validate-input.js';

/** The current version, or the one true at `asOf` as engram knew it at `knownAt`. */
export async function readMemory(ctx: MemoryContext, id: string, options: GetOptions): Promise<MemoryItem> {
  checkId(id);
  const window = timeWindow(options, ctx.engine.now());
  const { store } = await ctx.open();
  const record = await store.getMemory(ctx.tenant, id, window);
  if (record) return toMemoryItem(record);
  // "No version then" only for a memory this tenant can see; otherwise the plain not_found.
  throw window && (await store.getMemory(ctx.tenant, id)) ? noVersionAt(id, window) : memoryNotFound(id);
}

/** Every text the memory has had, newest first, with both intervals. */
export async function readVersions(ctx: MemoryContext, id: string): Promise<{ results: VersionItem[] }> {
  checkId(id);
  const { store } = await ctx.open();
  const versions = await store.versions(ctx.tenant, id);
  if (versions.length === 0) throw memoryNotFound(id);
  return { results: versions.map(toVersionItem) };
}

/** Events newest first, each with the version it concerns and that version's intervals. */
export async function readHistory(ctx: MemoryContext, id: string): Promise<HistoryItem[]> {
  checkId(id);
  const { store } = await ctx.open();
  const entries = await store.history(ctx.tenant, id);
  if (entries.length === 0) throw memoryNotFound(id);
  return entries.map(toHistoryItem);
}

/** One page of a scope's memories, newest first (cursor or offset). */
export async function listMemories(ctx: MemoryContext, options: GetAllOptions): Promise<GetAllResult> {
  const filter = visibleFilter(ctx, options, 'Listing memories');
  const limit = pageLimit(options, 100, MAX_PAGE);
  const states = checkStates(options.states);
  const offset = checkOffset(options.offset);
  const { store } = await ctx.open();
  const page = await store.listMemories(ctx.tenant, {
    filter,
    states,
    limit,
    cursor: options.cursor,
    offset,
  });
  return { results: page.items.map((r) => toMemoryItem(r)), next_cursor: page.nextCursor, total: page.total };
}
