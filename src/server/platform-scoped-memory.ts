import type { Principal } from '../memory/access/principal.js';
import type { AddInput, QueuedAdd } from '../memory/access/scoped-memory.js';
import { ScopedMemory } from '../memory/access/scoped-memory.js';
import type { AddOptions, AddResult, MemoryItem, ScopeOptions, UpdateInput } from '../memory/api-types.js';
import type { Memory } from '../memory/memory.js';
import type { MemoryEvent } from '../webhooks/memory-event.js';
import type { Webhooks } from '../webhooks/webhooks.js';
import type { Projects } from './project-settings.js';

/** What the mem0 project features need from the server: its webhooks and project settings. */
export interface PlatformFeatures {
  webhooks: Webhooks;
  projects: Projects;
}

/**
 * A key's ScopedMemory with the tenant's mem0 project features applied to every front end that
 * uses it (native REST, the mem0 routes, MCP over HTTP): inferred adds follow the project's custom
 * instructions, and each change is reported to the tenant's webhooks. Reset and erase report
 * nothing: they wipe a tenant or a scope, history included.
 */
export class PlatformScopedMemory extends ScopedMemory {
  readonly #features: PlatformFeatures;

  constructor(memory: Memory, principal: Principal, features: PlatformFeatures) {
    super(memory, principal);
    this.#features = features;
  }

  override async add(input: AddInput, options: AddOptions): Promise<AddResult> {
    const result = await super.add(input, await this.#withInstructions(options));
    await this.#notify(
      result.results.flatMap((r) =>
        r.event === 'NONE' ? [] : [{ id: r.id, memory: r.memory, event: r.event }],
      ),
    );
    return result;
  }

  override async enqueueAdd(
    input: AddInput,
    options: AddOptions,
    queue: { idempotencyKey?: string },
  ): Promise<QueuedAdd> {
    const queued = await super.enqueueAdd(input, await this.#withInstructions(options), queue);
    const { webhooks } = this.#features;
    if (await webhooks.wants(this.principal.tenant, 'ADD', 'UPDATE', 'DELETE')) {
      webhooks.watchJob(this.principal.tenant, queued.job_id, () => this.memory.getJob(queued.job_id));
    }
    return queued;
  }

  override async update(id: string, input: UpdateInput): Promise<MemoryItem> {
    const item = await super.update(id, input);
    await this.#notify([{ id, memory: item.memory, event: 'UPDATE' }]);
    return item;
  }

  override async updateMany(edits: { id: string; edit: UpdateInput }[]): Promise<MemoryItem[]> {
    const items = await super.updateMany(edits);
    await this.#notify(items.map((item) => ({ id: item.id, memory: item.memory, event: 'UPDATE' })));
    return items;
  }

  override async delete(id: string): Promise<{ message: string }> {
    const before = (await this.#wantsDeletes()) ? await this.get(id) : null;
    const result = await super.delete(id);
    if (before) await this.#notify([{ id, memory: before.memory, event: 'DELETE' }]);
    return result;
  }

  override async deleteMany(ids: string[]): Promise<{ message: string; deleted: number }> {
    const before = (await this.#wantsDeletes())
      ? await Promise.all([...new Set(ids)].map((id) => this.get(id)))
      : [];
    const result = await super.deleteMany(ids);
    await this.#notify(before.map((m) => ({ id: m.id, memory: m.memory, event: 'DELETE' })));
    return result;
  }

  /** With delete webhooks, the scope's memories are listed first so each delete can be reported. */
  override async deleteAll(options: ScopeOptions): Promise<{ message: string; deleted: number }> {
    const before = (await this.#wantsDeletes()) ? await this.#listAll(options) : [];
    const result = await super.deleteAll(options);
    await this.#notify(before.map((m) => ({ id: m.id, memory: m.memory, event: 'DELETE' })));
    return result;
  }

  async #listAll(options: ScopeOptions): Promise<MemoryItem[]> {
    const all: MemoryItem[] = [];
    let cursor: string | undefined;
    do {
      const page = await super.getAll({
        ...options,
        limit: 1000,
        showExpired: true,
        ...(cursor ? { cursor } : {}),
      });
      all.push(...page.results);
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
    return all;
  }

  #wantsDeletes(): Promise<boolean> {
    return this.#features.webhooks.wants(this.principal.tenant, 'DELETE');
  }

  #notify(events: MemoryEvent[]): Promise<void> {
    return this.#features.webhooks.notify(this.principal.tenant, events);
  }

  /** An inferred add without instructions of its own follows the project's. */
  async #withInstructions(options: AddOptions): Promise<AddOptions> {
    if (options.infer === false || options.customInstructions !== undefined) return options;
    const scope = this.scope(options);
    const instructions = await this.#features.projects.instructionsFor(this.principal.tenant, {
      ...(scope.userId === undefined ? {} : { userId: scope.userId }),
      ...(scope.agentId === undefined ? {} : { agentId: scope.agentId }),
    });
    return instructions === null ? options : { ...options, customInstructions: instructions };
  }
}
