import { randomUUID } from 'node:crypto';
import type { EngramConfig } from '../config/engram-config.js';
import { loadConfig } from '../config/load-config.js';
import { createChatModel, createEmbedder } from '../providers/registry.js';
import type { ChatMessage, ChatModel, ChatResponse } from '../spec/chat-model.js';
import type { Embedder } from '../spec/embedder.js';
import type { Filter } from '../spec/filter.js';
import type { JobRecord, JobState } from '../spec/job.js';
import { MemoryError } from '../spec/memory-error.js';
import type { JsonValue, MemoryState } from '../spec/memory-record.js';
import type { FetchLike } from '../spec/provider-settings.js';
import type { NewMemory, Store } from '../spec/store.js';
import type { UsageTotals } from '../spec/usage-store.js';
import { SqliteStore } from '../stores/sqlite/sqlite-store.js';
import { andFilters, pinnedScope } from '../util/filter-tree.js';
import { parseTime } from '../util/parse-time.js';
import { textHash } from '../util/text-hash.js';
import { countTokens } from '../util/token-count.js';
import type {
  AddOptions,
  AddResult,
  ChatOptions,
  ChatResult,
  ContextResult,
  GetAllOptions,
  GetAllResult,
  HistoryItem,
  InputMessage,
  JobItem,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  SearchResult,
  UpdateInput,
} from './api-types.js';
import { EmbeddingGate } from './embedding-gate.js';
import { parseFilter } from './filters/parse-filter.js';
import { type InferContext, type InferRequest, inferAdd } from './inference/infer-add.js';
import { UsageMeter } from './inference/usage-meter.js';
import { type ModelObserver, ObserverSet, observeChat, observeEmbedder } from './observed-models.js';
import { ANSWER_WITH_MEMORIES } from './prompts/answer-with-memories.js';
import { toHistoryItem, toMemoryItem } from './render-item.js';
import { requireScope, type ScopeIds, scopeFilter, scopeIds } from './resolve-scope.js';
import { ScopeLock } from './scope-lock.js';
import { searchMemories } from './search/search-memories.js';
import { checkImportance, checkMetadata, checkText, normaliseMessages } from './validate-input.js';

export interface MemoryDeps {
  /** Use these chat models (a fallback chain) instead of the configured ones. */
  llm?: ChatModel[];
  /** Use this store instead of opening config.dbPath (the caller keeps ownership). */
  store?: Store;
  /** Use this embedder instead of the configured one; null disables vectors. */
  embedder?: Embedder | null;
  fetch?: FetchLike;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  now?: () => Date;
}

const MAX_PAGE = 1000;
const SHARED = Symbol('engram.shared');

/** What every tenant view of one engine shares. */
interface SharedEngine {
  ownsStore: boolean;
  chain?: readonly ChatModel[];
  locks: ScopeLock;
  observers: ObserverSet;
  ready?: Promise<void> | undefined;
  store?: Store;
  gate?: EmbeddingGate;
}

/**
 * The public engine. Construction is synchronous and does no I/O; the store opens and migrates
 * on first use. Result shapes follow mem0 (`{results: [...]}`, snake_case items).
 */
export class Memory {
  readonly config: EngramConfig;
  readonly #deps: MemoryDeps;
  readonly #shared: SharedEngine;
  readonly #isView: boolean;
  readonly #tenant: string;
  #closed = false;

  constructor(config?: Parameters<typeof loadConfig>[0], deps: MemoryDeps = {}) {
    const shared = (deps as { [SHARED]?: SharedEngine })[SHARED];
    this.config = shared
      ? (config as EngramConfig)
      : loadConfig(config, { env: deps.env ?? process.env, cwd: deps.cwd ?? process.cwd() });
    this.#deps = deps;
    this.#tenant = this.config.tenant;
    this.#isView = shared !== undefined;
    this.#shared = shared ?? {
      ownsStore: deps.store === undefined,
      locks: new ScopeLock(),
      observers: new ObserverSet(),
    };
  }

  get tenant(): string {
    return this.#tenant;
  }

  /**
   * Reports every LLM and embedding call of this engine (all tenant views) to `observer`, e.g.
   * the server's /metrics. Returns a function that stops the reports.
   */
  observe(observer: ModelObserver): () => void {
    return this.#shared.observers.add(observer);
  }

  /**
   * A view of the same engine bound to another tenant: it shares the store, the embedder and the
   * per-scope locks, and every call it makes carries that tenant. Closing a view closes nothing.
   */
  forTenant(tenant: string): Memory {
    if (typeof tenant !== 'string' || tenant.trim() === '') {
      throw new MemoryError('invalid_input', 'A tenant name is required.');
    }
    return new Memory({ ...this.config, tenant }, { ...this.#deps, [SHARED]: this.#shared } as MemoryDeps);
  }

  #now(): string {
    return (this.#deps.now?.() ?? new Date()).toISOString();
  }

  async #open(): Promise<{ store: Store; gate: EmbeddingGate }> {
    if (this.#closed) throw new MemoryError('closed', 'This Memory is closed; create a new one.');
    const shared = this.#shared;
    shared.ready ??= (async () => {
      const store = this.#deps.store ?? new SqliteStore({ path: this.config.dbPath });
      await store.init();
      const embedder =
        this.#deps.embedder !== undefined
          ? this.#deps.embedder
          : this.config.embedder === null
            ? null
            : createEmbedder(this.config.embedder, { fetch: this.#deps.fetch });
      shared.store = store;
      shared.gate = new EmbeddingGate(embedder && observeEmbedder(embedder, shared.observers), store);
    })();
    try {
      await shared.ready;
    } catch (error) {
      shared.ready = undefined;
      throw error;
    }
    return { store: shared.store!, gate: shared.gate! };
  }

  /** The store, opened (for front ends and tools that need lower-level access). */
  async store(): Promise<Store> {
    return (await this.#open()).store;
  }

  async add(
    input: string | { role: string; content: string; name?: string }[],
    options: AddOptions = {},
  ): Promise<AddResult> {
    const limits = this.config.limits;
    const messages = normaliseMessages(input, limits);
    const ids = requireScope(scopeIds(options), 'add');
    const metadata = checkMetadata(options.metadata, limits);
    const importance = checkImportance(options.importance) ?? 0.5;
    const eventTime =
      options.eventTime === undefined ? this.#now() : parseTime(options.eventTime, 'eventTime');
    const infer = options.infer ?? true;
    if (infer && this.config.llm.length === 0 && !this.#deps.llm?.length) throw llmMissing();
    const memoryType = options.memoryType ?? (infer ? 'semantic' : 'episodic');
    if (memoryType === 'procedural' && !ids.agentId) {
      throw new MemoryError(
        'invalid_input',
        'Procedural memories belong to an agent: pass agentId with memoryType "procedural".',
      );
    }
    if (infer) {
      const request = { ids, messages, eventTime, metadata, memoryType, actorId: options.actorId ?? null };
      return this.#shared.locks.run(scopeKey(this.#tenant, ids), async () => {
        const { store } = await this.#open();
        // The raw conversation is kept before any LLM call, whatever happens next.
        await store.appendMessages(
          { tenant: this.#tenant, ...ids },
          messages.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content, eventTime })),
        );
        return this.#runInference({ ...request, logged: true }, null);
      });
    }
    const { store, gate } = await this.#open();
    return this.#shared.locks.run(scopeKey(this.#tenant, ids), async () => {
      const started = performance.now();
      const toStore = messages.filter((m) => m.role !== 'system');
      const callsBefore = gate.calls;
      // Embed before writing anything: an unreachable embedder must leave no partial write.
      const vectors = await gate.embed(toStore.map((m) => m.content));
      const embedMs = performance.now() - started;
      await store.appendMessages(
        { tenant: this.#tenant, ...ids },
        messages.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content, eventTime })),
      );
      const at = this.#now();
      const rows: NewMemory[] = toStore.map((m, i) => ({
        id: randomUUID(),
        ...ids,
        actorId: options.actorId ?? m.name ?? null,
        role: m.role,
        text: m.content.trim(),
        hash: textHash(m.content),
        metadata,
        importance,
        memoryType,
        validFrom: eventTime,
        embedding: vectors?.[i] ?? null,
        embeddingModel: gate.model,
        at,
        actor: 'user',
      }));
      const outcomes = await store.insertMemories(this.#tenant, rows);
      if (vectors) await gate.recordModel();
      const embedCalls = gate.calls - callsBefore;
      await store.recordUsage(
        this.#tenant,
        ids,
        { llmCalls: 0, inputTokens: 0, outputTokens: 0, embedCalls },
        at,
      );
      return {
        results: outcomes.map(({ record, inserted }) => ({
          id: record.id,
          memory: record.text,
          event: inserted ? ('ADD' as const) : ('NONE' as const),
          metadata: record.metadata,
        })),
        usage: {
          llmCalls: 0,
          inputTokens: 0,
          outputTokens: 0,
          embedCalls,
          ms: { embed: round(embedMs), total: round(performance.now() - started) },
        },
        status: 'done',
      };
    });
  }

  /**
   * Runs the inferred add. On an upstream failure (LLM or embedder) the work is not lost: it is
   * left as a pending job (or the job being retried records the failure) and reported in `errors`.
   */
  async #runInference(request: InferRequest, jobs: JobRecord[] | null): Promise<AddResult> {
    const { store, gate } = await this.#open();
    const meter = new UsageMeter();
    try {
      return await this.#inferOnce(store, gate, request, jobs, meter);
    } finally {
      const { llmCalls, inputTokens, outputTokens, embedCalls } = meter;
      await store.recordUsage(
        this.#tenant,
        request.ids,
        { llmCalls, inputTokens, outputTokens, embedCalls },
        this.#now(),
      );
    }
  }

  async #inferOnce(
    store: Store,
    gate: EmbeddingGate,
    request: InferRequest,
    jobs: JobRecord[] | null,
    meter: UsageMeter,
  ): Promise<AddResult> {
    try {
      const results = await inferAdd(this.#inferContext(store, gate), request, meter);
      for (const job of jobs ?? []) {
        await store.completeJob(this.#tenant, job.id, { results } as unknown as JsonValue, this.#now());
      }
      return { results, usage: meter.toUsage(), status: 'done' };
    } catch (error) {
      if (
        !(error instanceof MemoryError) ||
        !(error.category === 'upstream' || error.code === 'dimension_mismatch')
      ) {
        for (const job of jobs ?? []) {
          await store.failJob(this.#tenant, job.id, String((error as Error).message), null, this.#now());
        }
        throw error;
      }
      const failure = { code: error.code, message: error.message };
      const retryAt = (attempts: number) => new Date(Date.now() + retryDelayMs(attempts)).toISOString();
      let jobId: string;
      if (jobs && jobs.length > 0) {
        for (const job of jobs)
          await store.failJob(this.#tenant, job.id, error.message, retryAt(job.attempts), this.#now());
        jobId = jobs[0]!.id;
      } else {
        const created = await store.enqueueJob(
          this.#tenant,
          {
            id: randomUUID(),
            kind: INFER_JOB,
            payload: toPayload(request),
            maxAttempts: JOB_MAX_ATTEMPTS,
            runAt: retryAt(1),
            lastError: error.message,
            attempts: 1,
          },
          this.#now(),
        );
        jobId = created.job.id;
      }
      return { results: [], usage: meter.toUsage(), errors: [failure], status: 'pending', job_id: jobId };
    }
  }

  #inferContext(store: Store, gate: EmbeddingGate): InferContext {
    const shared = this.#shared;
    shared.chain ??= (
      this.#deps.llm ?? this.config.llm.map((s) => createChatModel(s, { fetch: this.#deps.fetch }))
    ).map((model) => observeChat(model, shared.observers));
    return {
      store,
      gate,
      chain: shared.chain,
      tenant: this.#tenant,
      now: () => this.#now(),
      mode: this.config.extraction.mode,
      contextMessages: this.config.extraction.contextMessages,
      customInstructions: this.config.extraction.customInstructions,
      prompts: this.config.extraction.prompts,
    };
  }

  /**
   * Queues an inferred add (the server's async mode): the messages and options are committed to
   * the job table before this returns; a worker runs it. Idempotent on `idempotencyKey`.
   */
  async enqueueAdd(
    input: string | InputMessage[],
    options: AddOptions = {},
    queue: { idempotencyKey?: string } = {},
  ): Promise<{ job_id: string; status: 'pending'; created: boolean }> {
    const limits = this.config.limits;
    const messages = normaliseMessages(input, limits);
    const ids = requireScope(scopeIds(options), 'add');
    const request: InferRequest = {
      ids,
      messages,
      eventTime: options.eventTime === undefined ? this.#now() : parseTime(options.eventTime, 'eventTime'),
      metadata: checkMetadata(options.metadata, limits),
      memoryType: options.memoryType ?? 'semantic',
      actorId: options.actorId ?? null,
      logged: false,
    };
    if (this.config.llm.length === 0 && !this.#deps.llm?.length) throw llmMissing();
    const { store } = await this.#open();
    const { job, created } = await store.enqueueJob(
      this.#tenant,
      {
        id: randomUUID(),
        kind: INFER_JOB,
        payload: toPayload(request),
        maxAttempts: JOB_MAX_ATTEMPTS,
        runAt: this.#now(),
        idempotencyKey: queue.idempotencyKey ?? null,
      },
      this.#now(),
    );
    return { job_id: job.id, status: 'pending', created };
  }

  /** Runs one leased job of this tenant (the ingest worker calls this). */
  async runJob(job: JobRecord): Promise<AddResult> {
    return this.runJobGroup([job]);
  }

  /**
   * Runs leased jobs of ONE scope as one inference (the worker batches passive observation this
   * way: many small adds, one extraction). Every job of the group completes or fails together.
   */
  async runJobGroup(jobs: JobRecord[]): Promise<AddResult> {
    const first = jobs[0];
    if (!first) throw new MemoryError('invalid_input', 'runJobGroup needs at least one job.');
    if (first.tenant !== this.#tenant) return this.forTenant(first.tenant).runJobGroup(jobs);
    const requests = jobs.map((job) => fromPayload(job.payload));
    const ids = requests[0]!.ids;
    if (
      jobs.some((j) => j.tenant !== first.tenant) ||
      requests.some((r) => scopeKey('', r.ids) !== scopeKey('', ids))
    ) {
      throw new MemoryError('invalid_input', 'runJobGroup takes jobs of one tenant and one scope.');
    }
    return this.#shared.locks.run(scopeKey(this.#tenant, ids), async () => {
      const { store } = await this.#open();
      for (const [j, request] of requests.entries()) {
        if (request.logged) continue;
        // The ref makes logging idempotent: a job re-run after a crash does not log its turns twice.
        await store.appendMessages(
          { tenant: this.#tenant, ...ids },
          request.messages.map((m, i) => ({
            role: m.role,
            name: m.name ?? null,
            content: m.content,
            eventTime: request.eventTime,
            ref: `${jobs[j]!.id}:${i}`,
          })),
        );
      }
      const merged: InferRequest = {
        ...requests[requests.length - 1]!,
        messages: requests.flatMap((r) => r.messages),
        logged: true,
      };
      return this.#runInference(merged, jobs);
    });
  }

  async getJob(id: string): Promise<JobItem> {
    checkId(id);
    const { store } = await this.#open();
    const job = await store.getJob(this.#tenant, id);
    if (!job) throw new MemoryError('not_found', `No job with id ${id}. List jobs with \`engram jobs\`.`);
    return toJobItem(job);
  }

  async jobs(options: { failed?: boolean; limit?: number } = {}): Promise<{ results: JobItem[] }> {
    const { store } = await this.#open();
    const states: JobState[] = options.failed ? ['dead'] : ['pending', 'running', 'dead'];
    const jobs = await store.listJobs(this.#tenant, {
      states,
      limit: checkLimit(options.limit ?? 100, MAX_PAGE),
    });
    return { results: jobs.map(toJobItem) };
  }

  /** Retries one job (or every due and dead job of this tenant) now, in this process. */
  async retryJobs(
    id?: string,
  ): Promise<{ results: { job_id: string; status: string; result: AddResult | null; error?: string }[] }> {
    const { store } = await this.#open();
    const targets = id
      ? [await store.getJob(this.#tenant, id)]
      : await store.listJobs(this.#tenant, { states: ['pending', 'dead'], limit: MAX_PAGE });
    if (id && !targets[0])
      throw new MemoryError('not_found', `No job with id ${id}. List jobs with \`engram jobs\`.`);
    const out = [];
    for (const target of targets) {
      if (!target || target.state === 'done') continue;
      await store.retryJob(this.#tenant, target.id, this.#now());
      const [leased] = await store.claimJobs({
        limit: 1,
        now: this.#now(),
        leaseMs: JOB_LEASE_MS,
        ids: [target.id],
      });
      if (!leased) continue;
      const result = await this.runJob(leased);
      const after = await store.getJob(this.#tenant, target.id);
      out.push({
        job_id: target.id,
        status: after?.state ?? 'unknown',
        result,
        ...(result.errors ? { error: result.errors[0]?.message } : {}),
      });
    }
    return { results: out };
  }

  /**
   * A prompt-ready block of the memories most relevant to `query`, within `tokenBudget` tokens
   * (most relevant first; a memory that does not fit is left out whole, never cut).
   */
  async context(
    query: string,
    options: SearchOptions & { tokenBudget?: number } = {},
  ): Promise<ContextResult> {
    const budget = options.tokenBudget ?? 1000;
    if (!Number.isInteger(budget) || budget < 1) {
      throw new MemoryError(
        'invalid_input',
        `tokenBudget must be a whole number > 0, got ${String(budget)}.`,
      );
    }
    const found = await this.search(query, { ...options, limit: options.limit ?? 20 });
    const lines: string[] = [];
    const used: MemoryItem[] = [];
    let tokens = 0;
    for (const item of found.results) {
      const line = `- ${item.memory} (${item.valid_from.slice(0, 10)})`;
      const cost = countTokens(line) + 1;
      if (tokens + cost > budget) continue;
      lines.push(line);
      used.push(item);
      tokens += cost;
    }
    return {
      text: lines.join('\n'),
      memories: used,
      tokens,
      ...(found.degraded ? { degraded: found.degraded } : {}),
    };
  }

  /**
   * One chat turn with memory: recall what is relevant, answer with the LLM (streamed through
   * `onToken` when given), then remember the turn through the normal inferred add.
   */
  async chat(message: string, options: ChatOptions = {}): Promise<ChatResult> {
    checkText(message, this.config.limits, 'The message');
    const ids = requireScope(scopeIds(options), 'chat');
    if (this.config.llm.length === 0 && !this.#deps.llm?.length) throw llmMissing();
    const { store, gate } = await this.#open();
    const chain = this.#inferContext(store, gate).chain;
    const scope = {
      userId: ids.userId ?? undefined,
      agentId: ids.agentId ?? undefined,
      runId: ids.runId ?? undefined,
    };
    const recalled = await this.context(message, { ...scope, tokenBudget: options.tokenBudget ?? 800 });
    const history = await store.recentMessages({ tenant: this.#tenant, ...ids }, options.historyTurns ?? 6);
    const messages: ChatMessage[] = [
      { role: 'system', content: ANSWER_WITH_MEMORIES.system(recalled.text, this.#now()) },
      ...history.map((m) => ({
        role: m.role === 'assistant' ? ('assistant' as const) : ('user' as const),
        content: m.content,
      })),
      { role: 'user', content: message },
    ];
    const started = performance.now();
    const reply = await answer(chain, messages, options.onToken);
    const answerMs = performance.now() - started;
    const remembered = await this.add(
      [
        { role: 'user', content: message },
        { role: 'assistant', content: reply.text },
      ],
      { ...scope, infer: options.remember !== 'raw' },
    );
    return {
      reply: reply.text,
      memories: recalled.memories,
      remembered,
      usage: {
        answer: {
          model: reply.model,
          inputTokens: reply.usage.inputTokens,
          outputTokens: reply.usage.outputTokens,
          ms: Math.round(answerMs),
        },
      },
    };
  }

  /** What adds have cost so far (LLM calls, tokens, embedding calls), per scope. */
  async usage(options: ScopeOptions = {}): Promise<{ results: UsageTotals[] }> {
    const ids = scopeIds(options);
    const { store } = await this.#open();
    return { results: await store.usageTotals(this.#tenant, ids) };
  }

  async get(id: string): Promise<MemoryItem> {
    checkId(id);
    const { store } = await this.#open();
    const record = await store.getMemory(this.#tenant, id);
    if (!record) throw notFound(id);
    return toMemoryItem(record);
  }

  async getAll(options: GetAllOptions = {}): Promise<GetAllResult> {
    const filter = this.#scopedFilter(options, options.filters, 'getAll');
    const limit = checkLimit(options.limit ?? 100, MAX_PAGE);
    const states = checkStates(options.states);
    const { store } = await this.#open();
    const page = await store.listMemories(this.#tenant, { filter, states, limit, cursor: options.cursor });
    return {
      results: page.items.map((r) => toMemoryItem(r)),
      next_cursor: page.nextCursor,
      total: page.total,
    };
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    checkText(query, this.config.limits, 'The search query');
    const filter = this.#scopedFilter(options, options.filters, 'search');
    const limit = checkLimit(options.limit ?? this.config.search.defaultLimit, MAX_PAGE);
    const threshold = options.threshold;
    if (threshold !== undefined && !(typeof threshold === 'number' && threshold >= 0 && threshold <= 1)) {
      throw new MemoryError(
        'invalid_input',
        `threshold must be a number from 0 to 1, got ${String(threshold)}.`,
      );
    }
    const asOf = options.asOf === undefined ? undefined : parseTime(options.asOf, 'asOf');
    const { store, gate } = await this.#open();
    const outcome = await searchMemories({
      store,
      gate,
      tenant: this.#tenant,
      query,
      filter,
      limit,
      threshold,
      asOf,
      now: this.#now(),
      mode: options.mode,
      settings: this.config.search,
    });
    const result: SearchResult = {
      results: outcome.ranked.map((r) =>
        toMemoryItem(r.record, r.score, options.explain ? r.explain : undefined),
      ),
    };
    if (outcome.degraded) {
      result.degraded = 'keyword-only';
      result.degraded_reason = outcome.degraded;
    }
    return result;
  }

  async update(id: string, input: string | UpdateInput): Promise<MemoryItem> {
    checkId(id);
    const patch = typeof input === 'string' ? { text: input } : input;
    if (
      patch === null ||
      typeof patch !== 'object' ||
      (patch.text === undefined && patch.metadata === undefined)
    ) {
      throw new MemoryError(
        'invalid_input',
        'update() takes new text, or {text?, metadata?} with at least one of them.',
      );
    }
    const text =
      patch.text === undefined ? undefined : checkText(patch.text, this.config.limits, 'The new text').trim();
    const metadata =
      patch.metadata === undefined ? undefined : checkMetadata(patch.metadata, this.config.limits);
    const { store, gate } = await this.#open();
    const existing = await store.getMemory(this.#tenant, id);
    if (!existing) throw notFound(id);
    const vectors = text === undefined || text === existing.text ? null : await gate.embed([text]);
    const record = await store.updateMemory(this.#tenant, id, {
      ...(text === undefined ? {} : { text, hash: textHash(text) }),
      ...(metadata === undefined ? {} : { metadata }),
      ...(vectors ? { embedding: vectors[0]!, embeddingModel: gate.model } : {}),
      at: this.#now(),
      actor: 'user',
    });
    if (vectors) await gate.recordModel();
    return toMemoryItem(record);
  }

  async delete(id: string): Promise<{ message: string }> {
    checkId(id);
    const { store } = await this.#open();
    await store.deleteMemory(this.#tenant, id, { at: this.#now(), actor: 'user' });
    return { message: 'Memory deleted successfully!' };
  }

  async deleteAll(options: ScopeOptions = {}): Promise<{ message: string; deleted: number }> {
    const ids = scopeIds(options);
    if (!ids.userId && !ids.agentId && !ids.runId) {
      throw new MemoryError(
        'scope_required',
        'deleteAll refuses to run without a scope: pass userId, agentId or runId (CLI: --user, --agent or --run). To wipe everything use reset({confirm: true}).',
      );
    }
    const { store } = await this.#open();
    const deleted = await store.deleteMemories(this.#tenant, scopeFilter(ids)!, {
      at: this.#now(),
      actor: 'user',
    });
    return { message: `Deleted ${deleted} memories.`, deleted };
  }

  async history(id: string): Promise<HistoryItem[]> {
    checkId(id);
    const { store } = await this.#open();
    const entries = await store.history(this.#tenant, id);
    if (entries.length === 0) throw notFound(id);
    return entries.map(toHistoryItem);
  }

  /** Removes every memory, message and history row of this tenant. */
  async reset(options: { confirm?: boolean } = {}): Promise<{ message: string }> {
    if (options.confirm !== true) {
      throw new MemoryError(
        'confirmation_required',
        'reset() erases every memory of this tenant; call reset({confirm: true}) to do it.',
      );
    }
    const { store } = await this.#open();
    await store.reset(this.#tenant);
    return { message: 'Memory store reset.' };
  }

  /** Re-embeds every memory with the configured embedder (after a model change). Resumable. */
  async reindex(options: { batchSize?: number; onProgress?: (done: number) => void } = {}): Promise<{
    reembedded: number;
    model: string;
    dimensions: number;
  }> {
    const { store, gate } = await this.#open();
    const embedder = gate.embedder;
    if (!embedder) {
      throw new MemoryError(
        'invalid_config',
        'reindex needs an embedder; configure one (config embedder or ENGRAM_EMBEDDER).',
      );
    }
    const probe = await gate.embed(['engram dimension probe'], { check: false });
    const dimensions = probe![0]!.length;
    const stats = await store.stats();
    const recorded = await store.getMeta('embedding_model');
    if (stats.dimensions !== dimensions || (recorded !== null && recorded !== embedder.id)) {
      await store.clearVectors(dimensions);
    }
    await store.setMeta('embedding_model', embedder.id);
    const batchSize = options.batchSize ?? 256;
    let done = 0;
    for (;;) {
      const batch = await store.memoriesToEmbed(null, embedder.id, batchSize);
      if (batch.length === 0) break;
      const vectors = (await gate.embed(
        batch.map((r) => r.text),
        { check: false },
      ))!;
      await store.setEmbeddings(
        batch.map((r, i) => ({ tenant: r.tenant, id: r.id, embedding: vectors[i]! })),
        embedder.id,
      );
      done += batch.length;
      options.onProgress?.(done);
    }
    return { reembedded: done, model: embedder.id, dimensions };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#isView || !this.#shared.ready) return;
    await this.#shared.ready.catch(() => undefined);
    if (this.#shared.ownsStore) await this.#shared.store?.close();
  }

  /** Scope ids from options and filters together; the scope must be pinned at the top level. */
  #scopedFilter(options: ScopeOptions, filters: Filter | undefined, operation: string) {
    const filter = andFilters(scopeFilter(scopeIds(options)), parseFilter(filters));
    const pinned = pinnedScope(filter);
    if (!pinned.user_id && !pinned.agent_id && !pinned.run_id) {
      throw new MemoryError(
        'scope_required',
        `${operation} needs a scope: pass userId, agentId or runId (CLI: --user, --agent or --run), or user_id/agent_id/run_id in filters outside any OR/NOT.`,
      );
    }
    return filter;
  }
}

/** Tries each model of the chain in turn; streams when the caller wants tokens and the model can. */
async function answer(
  chain: readonly ChatModel[],
  messages: ChatMessage[],
  onToken: ((token: string) => void) | undefined,
): Promise<ChatResponse> {
  const failures: string[] = [];
  for (const model of chain) {
    try {
      if (onToken && model.stream) {
        let text = '';
        for await (const token of model.stream({ messages })) {
          text += token;
          onToken(token);
        }
        const inputTokens = messages.reduce((n, m) => n + countTokens(m.content), 0);
        return {
          text,
          model: model.id,
          usage: { inputTokens, outputTokens: countTokens(text), reported: false },
        };
      }
      const response = await model.complete({ messages });
      onToken?.(response.text);
      return response;
    } catch (error) {
      if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
      failures.push(`${model.id}: ${error.message}`);
    }
  }
  throw new MemoryError('llm_unreachable', `No LLM could answer: ${failures.join(' | ')}`, {
    isRetryable: true,
  });
}

function llmMissing(): MemoryError {
  return new MemoryError(
    'llm_not_configured',
    'add() infers facts with an LLM by default, and none is configured. Configure one (config llm, e.g. "ollama:llama3.2:3b", or ENGRAM_LLM / OLLAMA_MODEL / OPENAI_API_KEY), or pass infer: false (CLI: --no-infer) to store the messages as they are.',
  );
}

const INFER_JOB = 'infer';
const JOB_MAX_ATTEMPTS = 5;
const JOB_RETRY_DELAY_MS = 30_000;
const JOB_MAX_RETRY_DELAY_MS = 3_600_000;

/** Exponential backoff: 30 s after the first failed attempt, doubling, at most an hour. */
function retryDelayMs(attempts: number): number {
  return Math.min(JOB_MAX_RETRY_DELAY_MS, JOB_RETRY_DELAY_MS * 2 ** Math.max(0, attempts - 1));
}
const JOB_LEASE_MS = 120_000;

function toPayload(request: InferRequest): JsonValue {
  return { v: 1, ...request } as unknown as JsonValue;
}

function fromPayload(payload: JsonValue): InferRequest {
  const p = payload as unknown as InferRequest & { v?: number };
  if (typeof p !== 'object' || p === null || !Array.isArray(p.messages) || typeof p.eventTime !== 'string') {
    throw new MemoryError('store_error', 'A queued job has a payload this version of engram cannot read.');
  }
  return {
    ids: p.ids,
    messages: p.messages,
    eventTime: p.eventTime,
    metadata: p.metadata ?? {},
    memoryType: p.memoryType ?? 'semantic',
    actorId: p.actorId ?? null,
    logged: p.logged === true,
  };
}

function toJobItem(job: JobRecord): JobItem {
  return {
    id: job.id,
    kind: job.kind,
    state: job.state,
    attempts: job.attempts,
    max_attempts: job.maxAttempts,
    next_attempt_at: job.nextAttemptAt,
    last_error: job.lastError,
    result: job.result,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  };
}

function scopeKey(tenant: string, ids: ScopeIds): string {
  return JSON.stringify([tenant, ids.userId, ids.agentId, ids.runId]);
}

function checkId(id: unknown): void {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new MemoryError('invalid_input', 'A memory id is required (a UUID as returned by add or list).');
  }
}

function checkLimit(limit: unknown, max: number): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new MemoryError(
      'invalid_input',
      `limit must be a whole number from 1 to ${max}, got ${String(limit)}.`,
    );
  }
  return limit;
}

const STATES: MemoryState[] = ['active', 'superseded', 'deleted'];
function checkStates(states: unknown): MemoryState[] {
  if (states === undefined) return ['active'];
  if (!Array.isArray(states) || states.length === 0 || !states.every((s) => STATES.includes(s))) {
    throw new MemoryError('invalid_input', `states must be a non-empty list of ${STATES.join(', ')}.`);
  }
  return states;
}

function notFound(id: string): MemoryError {
  return new MemoryError('not_found', `No memory with id ${id}. List ids with \`engram list --user <id>\`.`, {
    details: { id },
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
