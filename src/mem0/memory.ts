import type { Mem0Config } from '../config/mem0-config.js';
import { Memory as EngramMemory, type MemoryDeps } from '../memory/memory.js';
import { MemoryError } from '../spec/memory-error.js';
import { parseTime } from '../util/parse-time.js';
import {
  addScope,
  checkBoolean,
  checkFilters,
  checkKeys,
  checkMessages,
  checkThreshold,
  checkTopK,
  entityId,
  optionsObject,
  refuseTopLevelScope,
  withoutIdentityKeys,
} from './check-options.js';
import type {
  AddMemoryOptions,
  AddMemoryResult,
  DeleteAllMemoryOptions,
  GetAllMemoryOptions,
  MemoryConfig,
  MemoryHistoryRow,
  MemoryItem,
  Message,
  SearchMemoryOptions,
  SearchResult,
  UpdateMemoryOptions,
  UpdateProjectOptions,
} from './mem0-types.js';
import { toAddResult } from './render-add-result.js';
import { toHistoryRows } from './render-history.js';
import { toMem0Item } from './render-item.js';

const ADD_KEYS = [
  'userId',
  'agentId',
  'runId',
  'metadata',
  'filters',
  'infer',
  'timestamp',
  'expirationDate',
];
const SEARCH_KEYS = ['topK', 'filters', 'threshold', 'explain', 'referenceDate', 'rerank', 'showExpired'];
const GET_ALL_KEYS = ['topK', 'filters', 'showExpired'];
const UPDATE_KEYS = ['text', 'data', 'metadata', 'expirationDate'];
const DELETE_ALL_KEYS = ['userId', 'agentId', 'runId'];

/**
 * mem0ai/oss's `Memory` over engram's engine: the same methods, options and result shapes, so a
 * mem0 program switches by changing its import. Where engram behaves differently on purpose (no
 * duplicates on re-add, history kept, world time) it keeps its own behaviour; docs/mem0-compatibility.md
 * lists every difference. `engram` is the native engine, for what mem0 has no name for (asOf,
 * versions, jobs).
 */
export class Memory {
  /** The native engine behind the façade. */
  readonly engram: EngramMemory;
  /** What engram's config loader did not use from the mem0 config (also emitted once per process). */
  readonly warnings: string[];

  constructor(config: MemoryConfig = {}, deps: MemoryDeps = {}) {
    // engram's loader reads the mem0 config (src/config/mem0-config.ts) and reports its warnings
    // once per process (or to deps.onWarning).
    this.engram = new EngramMemory(optionsObject(config, 'new Memory') as Mem0Config, deps);
    this.warnings = [...this.engram.warnings];
  }

  /** mem0's way to build a Memory from a plain object; engram's loader validates it. */
  static fromConfig(configDict: Record<string, unknown>): Memory {
    return new Memory(configDict as MemoryConfig);
  }

  /** Refused as mem0 refuses it: the OSS SDK has no project settings. */
  async updateProject(options: UpdateProjectOptions = {}): Promise<never> {
    if (options?.decay === true) {
      throw new MemoryError(
        'invalid_input',
        'updateProject({decay}) is not supported: engram ranks by recency already (config search.halfLifeDays).',
      );
    }
    throw new MemoryError(
      'invalid_input',
      'updateProject() is not supported: a local Memory has no project.',
    );
  }

  async add(messages: string | Message[], options: AddMemoryOptions = {}): Promise<AddMemoryResult> {
    const opts = optionsObject(options, 'add');
    checkKeys(opts, ADD_KEYS, 'add');
    const input = checkMessages(messages);
    const scope = addScope(opts);
    const result = await this.engram.add(input, {
      ...scope,
      metadata: withoutIdentityKeys(opts.metadata),
      infer: checkBoolean(opts.infer, 'infer'),
      // engram has world time: mem0ai/oss refuses timestamp, engram dates the memories with it.
      eventTime: opts.timestamp == null ? undefined : parseTime(opts.timestamp, 'timestamp'),
      expirationDate: opts.expirationDate ?? undefined,
    });
    return toAddResult(result);
  }

  /** The memory, or null when there is none with this id. */
  async get(memoryId: string): Promise<MemoryItem | null> {
    try {
      return toMem0Item(await this.engram.get(memoryId));
    } catch (error) {
      if (MemoryError.is(error, 'not_found')) return null;
      throw error;
    }
  }

  async search(query: string, options: SearchMemoryOptions = {}): Promise<SearchResult> {
    const opts = optionsObject(options, 'search');
    if (opts.referenceDate !== undefined) {
      throw new MemoryError(
        'invalid_input',
        'search() does not take referenceDate: for what was true at an instant, use the native search, memory.engram.search(query, {asOf}).',
        { details: { unknown: ['referenceDate'] } },
      );
    }
    if (checkBoolean(opts.rerank, 'rerank') === true) {
      throw new MemoryError(
        'invalid_input',
        'search() does not take rerank: true: engram has no reranker; its hybrid ranking (vector, keyword, recency, importance) is config search.weights.',
        { details: { unknown: ['rerank'] } },
      );
    }
    refuseTopLevelScope(opts, 'search');
    checkKeys(opts, SEARCH_KEYS, 'search');
    const topK = checkTopK(opts.topK);
    const found = await scoped('search', () =>
      this.engram.search(query, {
        filters: checkFilters(opts.filters),
        // topK 0 still checks the query and the scope; it just returns nothing.
        topK: Math.max(topK, 1),
        threshold: checkThreshold(opts.threshold),
        explain: checkBoolean(opts.explain, 'explain') === true,
        showExpired: checkBoolean(opts.showExpired, 'showExpired'),
      }),
    );
    return { results: found.results.slice(0, topK).map(toMem0Item) };
  }

  /** New text and/or metadata (merged; a key set to null is removed) and/or expirationDate. */
  async update(memoryId: string, config: string | UpdateMemoryOptions): Promise<{ message: string }> {
    const patch = typeof config === 'string' ? { text: config } : optionsObject(config, 'update');
    checkKeys(patch, UPDATE_KEYS, 'update');
    if (patch.text != null && patch.data != null && patch.text !== patch.data) {
      throw new MemoryError(
        'invalid_input',
        'update() got both text and data (its old name) with different texts.',
      );
    }
    const text = patch.text ?? patch.data ?? undefined;
    const metadata = withoutIdentityKeys(patch.metadata);
    if (text === undefined && metadata === undefined && patch.expirationDate === undefined) {
      throw new MemoryError('invalid_input', 'update() needs text, metadata or expirationDate.');
    }
    await this.engram.update(memoryId, { text, metadata, expirationDate: patch.expirationDate });
    return { message: 'Memory updated successfully!' };
  }

  async delete(memoryId: string): Promise<{ message: string }> {
    await this.engram.delete(memoryId);
    return { message: 'Memory deleted successfully!' };
  }

  async deleteAll(options: DeleteAllMemoryOptions = {}): Promise<{ message: string }> {
    const opts = optionsObject(options, 'deleteAll');
    checkKeys(opts, DELETE_ALL_KEYS, 'deleteAll');
    const userId = entityId(opts.userId, 'userId');
    const agentId = entityId(opts.agentId, 'agentId');
    const runId = entityId(opts.runId, 'runId');
    if (!userId && !agentId && !runId) {
      throw new MemoryError(
        'scope_required',
        'deleteAll() needs userId, agentId or runId; to erase every memory, call reset().',
        { hint: 'scope' },
      );
    }
    await this.engram.deleteAll({ userId, agentId, runId });
    return { message: 'Memories deleted successfully!' };
  }

  /** The memory's events, newest first, as mem0's history rows; [] for an unknown id. */
  async history(memoryId: string): Promise<MemoryHistoryRow[]> {
    try {
      return toHistoryRows(await this.engram.history(memoryId));
    } catch (error) {
      if (MemoryError.is(error, 'not_found')) return [];
      throw error;
    }
  }

  /** Erases every memory, history row and message of this Memory's tenant. */
  async reset(): Promise<void> {
    await this.engram.reset({ confirm: true });
  }

  async getAll(options: GetAllMemoryOptions = {}): Promise<SearchResult> {
    const opts = optionsObject(options, 'getAll');
    refuseTopLevelScope(opts, 'getAll');
    checkKeys(opts, GET_ALL_KEYS, 'getAll');
    const topK = checkTopK(opts.topK);
    const page = await scoped('getAll', () =>
      this.engram.getAll({
        filters: checkFilters(opts.filters),
        topK: Math.max(topK, 1),
        showExpired: checkBoolean(opts.showExpired, 'showExpired'),
      }),
    );
    return { results: page.results.slice(0, topK).map(toMem0Item) };
  }

  /** Closes the engine (the database). mem0ai/oss has no close; engram's store needs one. */
  async close(): Promise<void> {
    await this.engram.close();
  }
}

/** engram's scope error in mem0's terms: search and getAll take the scope in filters. */
async function scoped<T>(method: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!MemoryError.is(error, 'scope_required')) throw error;
    throw new MemoryError(
      'scope_required',
      `${method}() needs filters with user_id, agent_id or run_id, e.g. filters: {user_id: "alice"}.`,
      { cause: error, hint: 'scope' },
    );
  }
}
