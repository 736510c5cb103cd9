import type { Filter } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type {
  AddOptions,
  AddResult,
  GetAllOptions,
  GetAllResult,
  GetOptions,
  HistoryItem,
  InputMessage,
  JobItem,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  SearchResult,
  UpdateInput,
  VersionItem,
} from '../api-types.js';
import type { Memory } from '../memory.js';
import type { Principal } from './principal.js';

export type AddInput = string | InputMessage[];

export interface QueuedAdd {
  job_id: string;
  status: 'pending';
  created: boolean;
}

/**
 * The engine as one principal may use it. The tenant comes from the principal (the Memory is already
 * a tenant view); a principal pinned to a user/agent has the pin ANDed into every call, a conflicting
 * explicit scope is refused (`scope_forbidden`), and by-id calls on memories outside the pin answer
 * not_found, exactly as for another tenant's ids. REST, mem0 routes, MCP and the CLI's `engram mcp`
 * all go through this class, so no front end re-implements the rules.
 */
export class ScopedMemory {
  readonly memory: Memory;
  readonly principal: Principal;

  constructor(memory: Memory, principal: Principal) {
    this.memory = memory;
    this.principal = principal;
  }

  /** Explicit scope merged with the pin. */
  scope(options: ScopeOptions): ScopeOptions {
    const pin = this.principal.pin;
    const userId = options.userId ?? options.user_id;
    const agentId = options.agentId ?? options.agent_id;
    const runId = options.runId ?? options.run_id;
    this.#checkPin('user_id', pin.userId, userId);
    this.#checkPin('agent_id', pin.agentId, agentId);
    const scope: ScopeOptions = {};
    const user = pin.userId ?? userId;
    const agent = pin.agentId ?? agentId;
    if (user !== undefined) scope.userId = user;
    if (agent !== undefined) scope.agentId = agent;
    if (runId !== undefined) scope.runId = runId;
    return scope;
  }

  /**
   * A filter may narrow a pinned key's scope but never name another one (top level or inside AND).
   * An OR branch naming another scope is harmless: the pin is ANDed in, so it matches nothing.
   */
  filters(filters: Filter | undefined): Filter | undefined {
    if (filters === undefined) return undefined;
    const pin = this.principal.pin;
    const visit = (f: Filter): void => {
      this.#checkPin('user_id', pin.userId, f.user_id);
      this.#checkPin('agent_id', pin.agentId, f.agent_id);
      if (Array.isArray(f.AND)) f.AND.forEach(visit);
    };
    visit(filters);
    return filters;
  }

  #checkPin(field: string, pinned: string | null, asked: unknown): void {
    if (pinned === null || asked === undefined || asked === null) return;
    const value =
      typeof asked === 'object' && asked !== null && 'eq' in asked ? (asked as { eq: unknown }).eq : asked;
    if (value !== pinned) {
      throw new MemoryError(
        'scope_forbidden',
        `This API key is pinned to ${field} "${pinned}"; it cannot act on another ${field}.`,
        { details: { field, pinned } },
      );
    }
  }

  #inPin(item: MemoryItem): boolean {
    const pin = this.principal.pin;
    return (
      (pin.userId === null || item.user_id === pin.userId) &&
      (pin.agentId === null || item.agent_id === pin.agentId)
    );
  }

  add(input: AddInput, options: AddOptions): Promise<AddResult> {
    return this.memory.add(input, { ...options, ...this.scope(options) });
  }

  enqueueAdd(input: AddInput, options: AddOptions, queue: { idempotencyKey?: string }): Promise<QueuedAdd> {
    return this.memory.enqueueAdd(input, { ...options, ...this.scope(options) }, queue);
  }

  getAll(options: GetAllOptions): Promise<GetAllResult> {
    return this.memory.getAll({ ...options, ...this.scope(options), filters: this.filters(options.filters) });
  }

  search(query: string, options: SearchOptions): Promise<SearchResult> {
    return this.memory.search(query, {
      ...options,
      ...this.scope(options),
      filters: this.filters(options.filters),
    });
  }

  async get(id: string, options: GetOptions = {}): Promise<MemoryItem> {
    const item = await this.memory.get(id);
    if (!this.#inPin(item)) {
      throw new MemoryError('not_found', `No memory with id ${id}.`, { details: { id } });
    }
    // The pin is checked on the current version first, so a time query never tells a pinned key
    // more about a memory outside its pin than a plain get would.
    return options.asOf === undefined && options.knownAt === undefined ? item : this.memory.get(id, options);
  }

  async versions(id: string): Promise<{ results: VersionItem[] }> {
    await this.get(id);
    return this.memory.versions(id);
  }

  async update(id: string, input: UpdateInput): Promise<MemoryItem> {
    await this.get(id);
    return this.memory.update(id, input);
  }

  async delete(id: string): Promise<{ message: string }> {
    await this.get(id);
    return this.memory.delete(id);
  }

  async history(id: string): Promise<HistoryItem[]> {
    if (this.principal.pin.userId !== null || this.principal.pin.agentId !== null) {
      // A deleted memory still has history; only a live one can be checked against the pin.
      const live = await this.memory.get(id).catch(() => null);
      if (live === null || !this.#inPin(live))
        throw new MemoryError('not_found', `No memory with id ${id}.`, { details: { id } });
    }
    return this.memory.history(id);
  }

  deleteAll(options: ScopeOptions): Promise<{ message: string; deleted: number }> {
    return this.memory.deleteAll(this.scope(options));
  }

  reset(): Promise<{ message: string }> {
    this.requireAdmin('reset');
    return this.memory.reset({ confirm: true });
  }

  job(id: string): Promise<JobItem> {
    return this.memory.getJob(id);
  }

  requireAdmin(operation: string): void {
    if (!this.principal.admin) {
      throw new MemoryError(
        'admin_required',
        `${operation} needs an admin key (engram keys create --admin).`,
        {
          details: { operation },
        },
      );
    }
  }
}
