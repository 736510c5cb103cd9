import type { ApiKeyRecord } from '../../spec/api-key.js';
import type { AuditPage, AuditQuery } from '../../spec/audit-log.js';
import type { Filter } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { ErasureCounts } from '../../spec/store.js';
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
import type { MemoryGraph } from '../graph/memory-graph.js';
import { jobNotFound } from '../jobs/find-jobs.js';
import type { Memory } from '../memory.js';
import type { ChannelUsage } from '../observe/memory-observation.js';
import type { ObservedMessage, ObserveOptions, ObserveResult } from '../observe/observe-messages.js';
import { issueApiKey } from './issue-api-key.js';
import type { Principal } from './principal.js';

export type AddInput = string | InputMessage[];

export interface QueuedAdd {
  job_id: string;
  status: 'pending';
  created: boolean;
}

export interface NewKeyRequest {
  name?: string | null;
  userId?: string | null;
  agentId?: string | null;
  admin?: boolean;
}

/** The scope fields of a memory, a job or a key's pin, as items carry them. */
interface ScopeFields {
  user_id: string | null;
  agent_id: string | null;
}

/** mem0's entity types and the scope option each names; a Map, so "constructor" is not a type. */
const ENTITY_FIELDS = new Map<string, 'userId' | 'agentId' | 'runId'>([
  ['user', 'userId'],
  ['agent', 'agentId'],
  ['run', 'runId'],
]);

/**
 * The engine as one principal may use it. The tenant comes from the principal (the Memory is already
 * a tenant view); a principal pinned to a user/agent has the pin ANDed into every call, a conflicting
 * explicit scope is refused (`scope_forbidden`), and by-id calls on memories and jobs outside the pin
 * answer not_found, exactly as for another tenant's ids. A pinned admin manages only keys within its
 * pin (what it mints inherits the pin) and cannot reset the tenant. REST, mem0 routes, MCP and the
 * CLI's `engram mcp` all go through this class, so no front end re-implements the rules.
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

  get #pinned(): boolean {
    return this.principal.pin.userId !== null || this.principal.pin.agentId !== null;
  }

  /** Whether something of this scope lies within the pin (the same scope, or a narrower one). */
  #inPin(scope: ScopeFields): boolean {
    const pin = this.principal.pin;
    return (
      (pin.userId === null || scope.user_id === pin.userId) &&
      (pin.agentId === null || scope.agent_id === pin.agentId)
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
    if (this.#pinned) {
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

  /**
   * Right to be forgotten for one scope (history included, bytes made unrecoverable): admin keys
   * only, since it removes what even a delete keeps; a pinned admin erases only within its pin.
   */
  erase(options: ScopeOptions): Promise<ErasureCounts> {
    this.requireAdmin('erase');
    return this.memory.data.erase(this.scope(options));
  }

  /**
   * Erases the whole tenant, so a pinned key may not: the store can only reset a tenant (messages,
   * history and jobs included), and a pinned admin clears its own scope with deleteAll instead.
   */
  reset(): Promise<{ message: string }> {
    this.requireAdmin('reset');
    if (this.#pinned) {
      const pin = this.principal.pin;
      const [field, pinned] = pin.userId !== null ? ['user_id', pin.userId] : ['agent_id', pin.agentId];
      throw new MemoryError(
        'scope_forbidden',
        `This API key is pinned to ${field} "${pinned}"; reset erases every scope of the tenant. Delete the memories of the pin with DELETE /memories, or reset with an unpinned admin key.`,
        { details: { operation: 'reset', field, pinned } },
      );
    }
    return this.memory.reset({ confirm: true });
  }

  /** The graph of a scope within the pin: every call's scope is merged with the pin like a search's. */
  get graph(): MemoryGraph {
    const graph = this.memory.graph;
    const scope = (options: ScopeOptions) => this.#graphScope(options);
    return {
      entities: (options) => graph.entities(scope(options)),
      relations: (options) => graph.relations({ ...options, ...scope(options) }),
      neighbors: (entity, options) => graph.neighbors(entity, { ...options, ...scope(options) }),
      unmerge: (entityId, options) => graph.unmerge(entityId, scope(options)),
    };
  }

  /**
   * A graph belongs to its scope's owner (the user, else the agent, else the run), so it spans
   * every agent and run of a user: a key pinned to an agent may read only a graph the agent owns.
   */
  #graphScope(options: ScopeOptions): ScopeOptions {
    const scope = this.scope(options);
    const pin = this.principal.pin;
    if (pin.userId === null && pin.agentId !== null && scope.userId !== undefined) {
      throw new MemoryError(
        'scope_forbidden',
        `This API key is pinned to agent_id "${pin.agentId}"; a user's graph spans all of that user's agents, so it can read only the agent's own graph (no user_id).`,
        { details: { field: 'user_id', pinned: pin.agentId } },
      );
    }
    return scope;
  }

  /**
   * Logs a channel's messages for observation. A window writes facts to every speaker's user scope,
   * so a pinned key may not observe: it would write outside its pin.
   */
  observe(messages: ObservedMessage[], options: ObserveOptions): Promise<ObserveResult> {
    this.#refusePinned('observe', 'observing a channel writes memories to the scope of every speaker');
    return this.memory.observe(messages, options);
  }

  /** What observing a channel cost per day; refused to a pinned key like observe (the channel spans users). */
  observationUsage(channelId: string, options: { since?: string | undefined } = {}): Promise<ChannelUsage> {
    this.#refusePinned('observation_usage', "a channel's usage spans every speaker in it");
    return this.memory.observation.usage(channelId, options);
  }

  #refusePinned(operation: string, why: string): void {
    if (!this.#pinned) return;
    const pin = this.principal.pin;
    const [field, pinned] = pin.userId !== null ? ['user_id', pin.userId] : ['agent_id', pin.agentId];
    throw new MemoryError(
      'scope_forbidden',
      `This API key is pinned to ${field} "${pinned}"; ${why}. Use an unpinned key of the tenant.`,
      { details: { operation, field, pinned } },
    );
  }

  /** A queued add's status; a job outside the pin is not_found, like an unknown id. */
  async job(id: string): Promise<JobItem> {
    const job = await this.memory.getJob(id);
    if (!this.#inPin(job)) throw jobNotFound(id);
    return job;
  }

  /** mem0's DELETE /entities/{type}/{name}: deleteAll for one user, agent or run. */
  deleteEntity(type: string, name: string): Promise<{ message: string; deleted: number }> {
    const field = ENTITY_FIELDS.get(type);
    if (field === undefined) {
      throw new MemoryError('invalid_input', `Entity type must be user, agent or run, got "${type}".`, {
        details: { fields: [{ path: 'type', message: 'expected user, agent or run' }] },
      });
    }
    return this.deleteAll({ [field]: name });
  }

  /** Updates all or none: every id is checked against the pin before the engine applies the batch. */
  async updateMany(edits: { id: string; edit: UpdateInput }[]): Promise<MemoryItem[]> {
    if (this.#pinned) for (const { id } of edits) await this.get(id);
    return this.memory.updateMany(edits);
  }

  /** Deletes all or none of the ids (see Memory.deleteMany); ids outside the pin are not_found. */
  async deleteMany(ids: string[]): Promise<{ message: string; deleted: number }> {
    if (this.#pinned) for (const id of ids) await this.get(id);
    return this.memory.deleteMany(ids);
  }

  /**
   * Mints a key of this tenant. A pinned admin's keys inherit its pin: they may narrow it (a
   * pinned user adding an agent) but never name another scope or drop it, so no key it makes can
   * reach further than itself.
   */
  createKey(request: NewKeyRequest): Promise<{ key: string; record: ApiKeyRecord }> {
    this.requireAdmin('Creating keys');
    const pin = this.principal.pin;
    this.#checkPin('user_id', pin.userId, request.userId);
    this.#checkPin('agent_id', pin.agentId, request.agentId);
    return issueApiKey(this.memory.keys, {
      tenant: this.principal.tenant,
      name: request.name ?? null,
      userId: pin.userId ?? request.userId ?? null,
      agentId: pin.agentId ?? request.agentId ?? null,
      admin: request.admin ?? false,
      now: new Date(this.memory.now()),
    });
  }

  /** The tenant's keys a principal may manage: all of them, or for a pinned admin those within its pin. */
  async listKeys(): Promise<ApiKeyRecord[]> {
    this.requireAdmin('Listing keys');
    const keys = await this.memory.keys.listApiKeys(this.principal.tenant);
    return keys.filter((k) => this.#inPin({ user_id: k.userId, agent_id: k.agentId }));
  }

  /** Revokes a key; for a pinned admin a key outside its pin is not_found, like an unknown id. */
  async revokeKey(id: string): Promise<ApiKeyRecord> {
    this.requireAdmin('Revoking keys');
    if (this.#pinned && !(await this.listKeys()).some((k) => k.id === id)) {
      throw new MemoryError('not_found', `No API key with id ${id}.`, {
        details: { id },
        hint: 'list_keys',
      });
    }
    return this.memory.keys.revokeApiKey(this.principal.tenant, id, this.memory.now());
  }

  /**
   * The tenant's audit log, for admin keys only; a pinned admin reads only the entries of its pin
   * (the store applies the tenant, the pin is ANDed in like every other read's).
   */
  auditLog(query: Omit<AuditQuery, 'userId' | 'agentId' | 'limit'> & { limit?: number }): Promise<AuditPage> {
    this.requireAdmin('Reading the audit log');
    const pin = this.principal.pin;
    return this.memory.audit.list({
      ...query,
      ...(pin.userId === null ? {} : { userId: pin.userId }),
      ...(pin.agentId === null ? {} : { agentId: pin.agentId }),
    });
  }

  requireAdmin(operation: string): void {
    if (!this.principal.admin) {
      throw new MemoryError('admin_required', `${operation} needs an admin key.`, {
        details: { operation },
        hint: 'admin_key',
      });
    }
  }
}
