import type { EngramConfig } from '../config/engram-config.js';
import { type loadConfig, loadConfigWithWarnings } from '../config/load-config.js';
import { reportConfigWarnings } from '../config/report-warnings.js';
import type { KeyStore } from '../spec/api-key.js';
import type { ProviderHealth } from '../spec/embedder.js';
import type { JobRecord } from '../spec/job.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Store, StoreStats } from '../spec/store.js';
import type { UsageTotals } from '../spec/usage-store.js';
import { type MemoryData, memoryData } from '../transfer/memory-data.js';
import { addInferred } from './add/add-inferred.js';
import { addRaw } from './add/add-raw.js';
import { checkAdd } from './add/check-add.js';
import { apiKeys } from './admin/api-keys.js';
import { checkDatabase } from './admin/check-database.js';
import { derivedIndexes, type MemoryIndexes } from './admin/derived-indexes.js';
import type {
  AddOptions,
  AddResult,
  ChatOptions,
  ChatResult,
  ContextResult,
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
} from './api-types.js';
import { type MemoryAudit, memoryAudit } from './audit/memory-audit.js';
import { deleteAll, deleteBatch } from './batch/delete-batch.js';
import { updateBatch } from './batch/update-batch.js';
import { chat } from './chat/chat.js';
import { consolidate } from './consolidate/consolidate.js';
import type { ConsolidationReport } from './consolidate/consolidation-report.js';
import { buildContext } from './context/build-context.js';
import { Engine, type MemoryDeps } from './engine.js';
import { type Entity, type EntityPin, listEntities } from './entities/list-entities.js';
import { type MemoryGraph, memoryGraph } from './graph/memory-graph.js';
import { enqueueCheckedAdd } from './jobs/enqueue-add.js';
import { getJob, listJobs } from './jobs/find-jobs.js';
import { type JobQueue, jobQueue } from './jobs/job-queue.js';
import { type RetriedJob, retryJobs } from './jobs/retry-jobs.js';
import { runJobGroup } from './jobs/run-job-group.js';
import type { MemoryContext } from './memory-context.js';
import { type MemoryObservation, memoryObservation } from './observe/memory-observation.js';
import type { ObservedMessage, ObserveOptions, ObserveResult } from './observe/observe-messages.js';
import { observeMessages } from './observe/observe-messages.js';
import type { ModelObserver } from './observed-models.js';
import { listMemories, readHistory, readMemory, readVersions } from './read/read-memories.js';
import { type ReindexOptions, type ReindexResult, reindex } from './reindex/reindex.js';
import { requireScope, scopeIds } from './resolve-scope.js';
import { type PurgeReport, purgeTenants } from './retention/purge-expired.js';
import { checkSearch } from './search/check-search.js';
import { findMemories } from './search/find-memories.js';
import { updateMemory } from './update/update-memory.js';
import { checkEdit, checkId, checkLimit, checkText, checkTokenBudget, MAX_PAGE } from './validate-input.js';

export type { MemoryDeps } from './engine.js';

/** Tenant views in the making: `forTenant` registers the engine to share under a fresh deps object. */
const views = new WeakMap<object, { engine: Engine; config: EngramConfig }>();

/**
 * The public engine. Construction is synchronous and does no I/O; the store opens and migrates
 * on first use. Result shapes follow mem0 (`{results: [...]}`, snake_case items). Each method
 * checks its input and hands the work to the module that does that job.
 */
export class Memory {
  readonly config: EngramConfig;
  /** What the configuration holds that engram does not use, in words (also reported once; see deps.onWarning). */
  readonly warnings: readonly string[];
  readonly #engine: Engine;
  /** False for a tenant view: closing a view closes nothing. */
  readonly #ownsEngine: boolean;
  readonly #ctx: MemoryContext;
  #closed = false;

  constructor(config?: Parameters<typeof loadConfig>[0], deps: MemoryDeps = {}) {
    const view = views.get(deps);
    views.delete(deps);
    const loaded = view
      ? { config: view.config, warnings: [] }
      : loadConfigWithWarnings(config, { env: deps.env ?? process.env, cwd: deps.cwd ?? process.cwd() });
    this.config = loaded.config;
    this.warnings = loaded.warnings;
    reportConfigWarnings(loaded.warnings, deps.onWarning);
    this.#engine = view?.engine ?? new Engine(this.config, deps);
    this.#ownsEngine = view === undefined;
    this.#ctx = {
      tenant: this.config.tenant,
      config: this.config,
      engine: this.#engine,
      open: () => this.#open(),
    };
  }

  /** A Memory bound to `config.tenant` over an existing engine (a tenant view). */
  static #view(engine: Engine, config: EngramConfig): Memory {
    const token = {};
    views.set(token, { engine, config });
    return new Memory(config, token);
  }

  get tenant(): string {
    return this.config.tenant;
  }

  /** The engine's clock (`deps.now`, else the system's) as ISO 8601: front ends stamp with it too. */
  now(): string {
    return this.#engine.now();
  }

  /**
   * Reports every LLM and embedding call of this engine (all tenant views) to `observer`, e.g.
   * the server's /metrics. Returns a function that stops the reports.
   */
  observeModels(observer: ModelObserver): () => void {
    return this.#engine.observers.add(observer);
  }

  /**
   * A view of the same engine bound to another tenant: it shares the store, the embedder and the
   * per-scope locks, and every call it makes carries that tenant. Closing a view closes nothing.
   */
  forTenant(tenant: string): Memory {
    if (typeof tenant !== 'string' || tenant.trim() === '') {
      throw new MemoryError('invalid_input', 'A tenant name is required.');
    }
    return Memory.#view(this.#engine, { ...this.config, tenant });
  }

  async #open() {
    if (this.#closed) throw new MemoryError('closed', 'This Memory is closed; create a new one.');
    return this.#engine.open();
  }

  async #store(): Promise<Store> {
    return (await this.#open()).store;
  }

  /** The opened store, for tests and tools. @internal Front ends use the methods below. */
  async store(): Promise<Store> {
    return this.#store();
  }

  /** The API keys of every tenant (each call names its tenant, null for all): auth and `engram keys`. */
  get keys(): KeyStore {
    return apiKeys(() => this.#store());
  }

  /** Export, import and erasure of data (`engram export` / `import` / `erase`, src/transfer/). */
  get data(): MemoryData {
    return memoryData(this.#ctx);
  }

  /** The audit log of this tenant: what front ends recorded, retention (docs/security.md). */
  get audit(): MemoryAudit {
    return memoryAudit(this.#ctx);
  }

  /** The temporal graph of a scope: entities, relations, neighbours (docs/graph.md). */
  get graph(): MemoryGraph {
    return memoryGraph(this.#ctx);
  }

  /** Logs a channel's messages and schedules their extraction in windows (docs/observation.md). */
  observe(messages: ObservedMessage[], options: ObserveOptions): Promise<ObserveResult> {
    return observeMessages(this.#ctx, messages, options);
  }

  /** Observation windows and what they cost, per channel (the worker runs windows through it). */
  get observation(): MemoryObservation {
    return memoryObservation(this.#ctx);
  }

  /** Derived vector indexes (Qdrant, Chroma): status, rebuild, drop (`engram index`). */
  get indexes(): MemoryIndexes {
    return derivedIndexes(() => this.#open());
  }

  /** The durable job queue across tenants, for the ingest worker and the queue gauges. */
  get queue(): JobQueue {
    return jobQueue(() => this.#store());
  }

  /** Database statistics and health (for `engram doctor`). */
  async stats(): Promise<StoreStats> {
    return (await this.#store()).stats();
  }

  /** Whether the database opens, is engram's and answers a read (the server's /ready); never throws. */
  async health(): Promise<ProviderHealth> {
    return checkDatabase(() => this.#store());
  }

  /** The users, agents and runs of this tenant that have active memories, with counts. */
  async entities(pin: EntityPin = {}): Promise<Entity[]> {
    return listEntities(await this.#store(), this.tenant, pin);
  }

  async add(input: string | InputMessage[], options: AddOptions = {}): Promise<AddResult> {
    const { infer, importance, flags, ...request } = checkAdd(input, options, this.config, () =>
      this.#engine.now(),
    );
    if (!infer) return addRaw(this.#ctx, { ...request, flags, importance: importance ?? 0.5 });
    this.#engine.requireLlm();
    // An explicit importance replaces the model's estimate for every fact (docs/inference.md).
    return addInferred(this.#ctx, { ...request, importance: importance ?? null });
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
    return enqueueCheckedAdd(this.#ctx, input, options, queue.idempotencyKey ?? null);
  }

  /** Runs one leased job of this tenant (the ingest worker calls this). */
  async runJob(job: JobRecord): Promise<AddResult> {
    return this.runJobGroup([job]);
  }

  /**
   * Runs leased jobs of ONE scope as one inference (the worker batches passive observation this
   * way: many small adds, one extraction). Every job of the group completes or fails together.
   * `leaseMs` is the length of the jobs' lease, renewed every third of it while they run; a run
   * whose jobs another worker took over commits nothing and fails with `lease_lost`.
   */
  async runJobGroup(jobs: JobRecord[], options: { leaseMs?: number } = {}): Promise<AddResult> {
    const first = jobs[0];
    if (!first) throw new MemoryError('invalid_input', 'runJobGroup needs at least one job.');
    if (first.tenant !== this.tenant) return this.forTenant(first.tenant).runJobGroup(jobs, options);
    return runJobGroup(this.#ctx, jobs, options);
  }

  async getJob(id: string): Promise<JobItem> {
    checkId(id);
    return getJob(this.#ctx, id);
  }

  async jobs(options: { failed?: boolean; limit?: number } = {}): Promise<{ results: JobItem[] }> {
    const limit = checkLimit(options.limit ?? 100, MAX_PAGE);
    return listJobs(this.#ctx, { failed: options.failed === true, limit });
  }

  /** Retries one job (or every due and dead job of this tenant) now, in this process. */
  async retryJobs(id?: string): Promise<{ results: RetriedJob[] }> {
    return retryJobs(this.#ctx, id, MAX_PAGE, (job) => this.runJob(job));
  }

  /**
   * A prompt-ready block of the memories most relevant to `query`, within `tokenBudget` tokens
   * (most relevant first; a memory that does not fit is left out whole, never cut).
   */
  async context(
    query: string,
    options: SearchOptions & { tokenBudget?: number } = {},
  ): Promise<ContextResult> {
    const budget = checkTokenBudget(options.tokenBudget ?? 1000);
    const found = await this.search(query, { ...options, limit: options.limit ?? 20 });
    return buildContext(found, budget);
  }

  /**
   * One chat turn with memory: recall what is relevant, answer with the LLM (streamed through
   * `onToken` when given), then remember the turn through the normal inferred add.
   */
  async chat(message: string, options: ChatOptions = {}): Promise<ChatResult> {
    const text = checkText(message, this.config.limits, 'The message');
    const ids = requireScope(scopeIds(options), 'A chat');
    this.#engine.requireLlm();
    return chat(this.#ctx, this, ids, text, options);
  }

  /** What adds have cost so far (LLM calls, tokens, embedding calls), per scope. */
  async usage(options: ScopeOptions = {}): Promise<{ results: UsageTotals[] }> {
    const ids = scopeIds(options);
    return { results: await (await this.#store()).usageTotals(this.tenant, ids) };
  }

  /** The current version, or the one true at `asOf` as engram knew it at `knownAt`. */
  async get(id: string, options: GetOptions = {}): Promise<MemoryItem> {
    return readMemory(this.#ctx, id, options);
  }

  /** Every text the memory has had, newest first, with both intervals. */
  async versions(id: string): Promise<{ results: VersionItem[] }> {
    return readVersions(this.#ctx, id);
  }

  async getAll(options: GetAllOptions = {}): Promise<GetAllResult> {
    return listMemories(this.#ctx, options);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchResult> {
    return findMemories(this.#ctx, checkSearch(this.#ctx, query, options));
  }

  /** New text is a new version (see update/update-memory.ts); metadata merges unless replaced. */
  async update(id: string, input: string | UpdateInput): Promise<MemoryItem> {
    checkId(id);
    return updateMemory(this.#ctx, id, checkEdit(input, this.config.limits));
  }

  async delete(id: string): Promise<{ message: string }> {
    checkId(id);
    await (await this.#store()).deleteMemory(this.tenant, id, { at: this.#engine.now(), actor: 'user' });
    return { message: 'Memory deleted successfully!' };
  }

  /**
   * Several user edits, all or nothing: every id is checked (not_found) and every edit checked
   * before anything is written, then all are applied in one store transaction.
   */
  async updateMany(edits: { id: string; edit: string | UpdateInput }[]): Promise<MemoryItem[]> {
    const checked = edits.map(({ id, edit }) => {
      checkId(id);
      return { id, edit: checkEdit(edit, this.config.limits) };
    });
    return updateBatch(this.#ctx, checked);
  }

  /** Deletes several memories; an unknown id is not_found before any is deleted. */
  async deleteMany(ids: string[]): Promise<{ message: string; deleted: number }> {
    for (const id of ids) checkId(id);
    const deleted = await deleteBatch(this.#ctx, ids);
    return { message: `Deleted ${deleted} memories.`, deleted };
  }

  async deleteAll(options: ScopeOptions = {}): Promise<{ message: string; deleted: number }> {
    return deleteAll(this.#ctx, options);
  }

  /** Events newest first, each with the version it concerns and that version's intervals. */
  async history(id: string): Promise<HistoryItem[]> {
    return readHistory(this.#ctx, id);
  }

  /** Removes every memory, message and history row of this tenant. */
  async reset(options: { confirm?: boolean } = {}): Promise<{ message: string }> {
    if (options.confirm !== true) {
      throw new MemoryError(
        'confirmation_required',
        'reset() erases every memory of this tenant; call reset({confirm: true}) to do it.',
      );
    }
    await (await this.#store()).reset(this.tenant);
    return { message: 'Memory store reset.' };
  }

  /** Merges near-duplicates of a scope; the merged are superseded, not erased (docs/lifecycle.md). */
  async consolidate(options: ScopeOptions & { dryRun?: boolean }): Promise<ConsolidationReport> {
    const ids = requireScope(scopeIds(options), 'Consolidation');
    return consolidate(this.#ctx, ids, { dryRun: options.dryRun === true });
  }

  /**
   * Erases the memories expired at the engine's clock — a passed expirationDate, or the retention
   * policy (config.retention) — of this tenant, or of every tenant with `allTenants` (the server's
   * scheduled purge). Every trace goes (Store.eraseMemories); `dryRun` only counts.
   */
  async purgeExpired(options: { dryRun?: boolean; allTenants?: boolean } = {}): Promise<PurgeReport> {
    return purgeTenants(this.#ctx, options);
  }

  /** Re-embeds every memory with the configured embedder (after a model change). Resumable. */
  async reindex(options: ReindexOptions = {}): Promise<ReindexResult> {
    return reindex(await this.#open(), options);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsEngine) await this.#engine.close();
  }
}
