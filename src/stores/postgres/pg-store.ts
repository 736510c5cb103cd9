import type { ApiKeyRecord, NewApiKey } from '../../spec/api-key.js';
import type { AuditStore } from '../../spec/audit-log.js';
import type { FilterNode } from '../../spec/filter.js';
import type { GraphStore } from '../../spec/graph.js';
import type { IndexOutbox } from '../../spec/index-outbox.js';
import type { JobStore } from '../../spec/job.js';
import type { HistoryEntry, MemoryRecord, MemoryVersion, StoredMessage } from '../../spec/memory-record.js';
import type { Scope } from '../../spec/scope.js';
import {
  type CandidateQuery,
  type ChangeOutcome,
  type ErasureCounts,
  type ErasureScope,
  type InsertOutcome,
  type Invalidation,
  type ListOptions,
  type MemoryErasureCounts,
  type MemoryPatch,
  type NewMemory,
  type NewMessage,
  type Page,
  type RecentMessagesOptions,
  type ScoredHit,
  STORE_CAPABILITIES,
  type Store,
  type StoreCapability,
  type StoreHealth,
  type StoreStats,
  type TimeWindow,
  type VersionToEmbed,
} from '../../spec/store.js';
import type { StoreTransfer } from '../../spec/store-transfer.js';
import type { UsageDelta, UsageTotals } from '../../spec/usage-store.js';
import { memoryNotFound } from '../shared/store-errors.js';
import { PgAudit } from './pg-audit.js';
import { insertMany } from './pg-bulk-insert.js';
import { PgConnection, type PgQuery } from './pg-connection.js';
import { eraseScope } from './pg-erase.js';
import { eraseMemories, memoryTenants } from './pg-erase-memories.js';
import { PgGraph } from './pg-graph.js';
import { checkHealth } from './pg-health.js';
import { PgJobs } from './pg-jobs.js';
import { PgKeys } from './pg-keys.js';
import { PgMaintenance } from './pg-maintenance.js';
import { PgMemoryReads } from './pg-memory-reads.js';
import { PgMemoryWrites } from './pg-memory-writes.js';
import { PgMessages } from './pg-messages.js';
import { migrate } from './pg-migrator.js';
import { PgOutbox } from './pg-outbox.js';
import { PgScopeLocks } from './pg-scope-locks.js';
import { PgSearch } from './pg-search.js';
import { PgTransfer } from './pg-transfer.js';
import { PgUsage } from './pg-usage.js';
import { buildVectorIndex, dropVectorIndex, PgVectors } from './pg-vectors.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (libpq URL; sslmode and friends as query parameters). */
  url: string;
  /** The schema engram's tables live in, created when missing. Default "engram". */
  schema?: string;
  /** Most connections this process opens. Default 10. */
  pool?: number;
  /** Text search configuration of the full-text index (english, simple, german …). Default "english". */
  language?: string;
  /**
   * Reads only (a replica, a source being copied): nothing is created or migrated, the schema's
   * recorded language is kept, and every write is a `read_only` error.
   */
  readOnly?: boolean;
}

/** Every capability of the contract. */
const CAPABILITIES: ReadonlySet<StoreCapability> = new Set(STORE_CAPABILITIES);

/**
 * The scale-out source of truth: PostgreSQL with pgvector, shared by every engram process that
 * points at it. Same contract, same guarantees as the SQLite store: every write is one
 * transaction, every query carries the tenant, history and versions are append-only in the
 * database itself. This class only composes the parts of the driver folder.
 */
export class PostgresStore implements Store {
  readonly dialect = 'postgres';
  static readonly CAPABILITIES = CAPABILITIES;
  readonly capabilities = CAPABILITIES;
  readonly #connection: PgConnection;
  readonly #language: string;
  readonly #vectors: PgVectors;
  readonly #reads = new PgMemoryReads();
  readonly #writes: PgMemoryWrites;
  readonly #search: PgSearch;
  readonly #maintenance: PgMaintenance;
  readonly #messages: PgMessages;
  readonly #usage: PgUsage;
  readonly #jobs: PgJobs;
  readonly #keys: PgKeys;
  readonly #locks: PgScopeLocks;
  #ready: Promise<void> | undefined;
  #transfer: PgTransfer | undefined;
  readonly #outbox: PgOutbox;
  readonly #graph: PgGraph;
  readonly #audit: PgAudit;

  constructor(options: PostgresStoreOptions) {
    this.#connection = new PgConnection({
      url: options.url,
      schema: options.schema ?? 'engram',
      poolSize: options.pool ?? 10,
      readOnly: options.readOnly,
    });
    this.#language = options.language ?? 'english';
    this.#vectors = new PgVectors(this.#connection);
    this.#writes = new PgMemoryWrites(this.#reads, this.#vectors);
    this.#search = new PgSearch(this.#connection, this.#vectors);
    this.#maintenance = new PgMaintenance(this.#connection, this.#vectors);
    this.#messages = new PgMessages(this.#connection);
    this.#usage = new PgUsage(this.#connection);
    this.#jobs = new PgJobs(this.#connection);
    this.#keys = new PgKeys(this.#connection);
    this.#outbox = new PgOutbox(this.#connection);
    this.#graph = new PgGraph(this.#connection);
    this.#locks = new PgScopeLocks(this.#connection);
    this.#audit = new PgAudit(this.#connection);
  }

  /** The audit log: who did what, never the content (spec/audit-log.ts). */
  get audit(): AuditStore {
    return this.#audit;
  }

  /**
   * For bulk loads (benchmarks, large imports): drop the HNSW index, load, build it once. A load
   * that stops in between is repaired at the next init (the index is rebuilt).
   */
  get vectorIndex(): { drop(): Promise<void>; build(): Promise<void> } {
    return {
      drop: () => this.#write(dropVectorIndex),
      build: () => this.#write(buildVectorIndex),
    };
  }

  /** Whether writes are refused (store.readOnly). */
  get readOnly(): boolean {
    return this.#connection.readOnly;
  }

  /** The server and schema, without the password. */
  get where(): string {
    return this.#connection.where;
  }

  /** The outbox feeding derived vector indexes. */
  get outbox(): IndexOutbox {
    return this.#outbox;
  }

  /** Entities and relations (reads); they are written by applyChanges. */
  get graph(): GraphStore {
    return this.#graph;
  }

  /** Export and import of the whole schema (`engram migrate`). */
  get transfer(): StoreTransfer {
    this.#transfer ??= new PgTransfer(this.#connection, this.#vectors);
    return this.#transfer;
  }

  /** Connects, checks pgvector and the schema, migrates; idempotent (and shared by concurrent callers). */
  async init(): Promise<void> {
    this.#ready ??= migrate(this.#connection, this.#language).catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    await this.#ready;
  }

  async health(): Promise<StoreHealth> {
    return checkHealth(this.#connection);
  }

  async close(): Promise<void> {
    await this.#locks.close();
    await this.#connection.close();
  }

  /** Serialises one scope's inference across every process on this database (advisory lock). */
  lockScope<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#locks.run(key, fn);
  }

  /** A write transaction; a rollback forgets the vector width this process may have fixed in it. */
  async #write<T>(fn: (q: PgQuery) => Promise<T>): Promise<T> {
    try {
      return await this.#connection.write(fn);
    } catch (error) {
      this.#vectors.forget();
      throw error;
    }
  }

  #readOnly<T>(fn: (q: PgQuery) => Promise<T>): Promise<T> {
    return this.#connection.withClient(fn);
  }

  // meta
  async getMeta(key: string): Promise<string | null> {
    const row = await this.#readOnly((q) =>
      q.one<{ value: string }>('SELECT value FROM meta WHERE key = $1', [key]),
    );
    return row?.value ?? null;
  }
  async setMeta(key: string, value: string): Promise<void> {
    await this.#write((q) =>
      q.run(
        'INSERT INTO meta(key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
        [key, value],
      ),
    );
  }

  // memories and versions
  async insertMemories(tenant: string, memories: NewMemory[]): Promise<InsertOutcome[]> {
    return this.#write((q) => insertMany(q, tenant, memories, this.#reads, this.#vectors));
  }

  applyChanges(
    ...[tenant, changes, guard, graph]: Parameters<Store['applyChanges']>
  ): Promise<ChangeOutcome[]> {
    return this.#write(async (q) => {
      // A job's effects commit only with its lease: checked (and extended) in this transaction.
      if (guard) await this.#jobs.requireLeases(q, tenant, guard);
      const outcomes = await this.#writes.applyChanges(q, tenant, changes);
      // The graph after the changes: a relation may name an outcome by {change: n}.
      if (graph) await this.#graph.write(q, tenant, graph, outcomes);
      return outcomes;
    });
  }

  async getMemory(tenant: string, id: string, window?: TimeWindow): Promise<MemoryRecord | null> {
    return this.#readOnly((q) => this.#reads.getMemory(q, tenant, id, window));
  }
  async getMemories(tenant: string, ids: string[], window?: TimeWindow): Promise<MemoryRecord[]> {
    return this.#readOnly((q) => this.#reads.getMemories(q, tenant, ids, window));
  }
  async findByHash(tenant: string, filter: FilterNode, hash: string): Promise<MemoryRecord | null> {
    return this.#readOnly((q) => this.#reads.findByHash(q, tenant, filter, hash));
  }
  async listMemories(tenant: string, options: ListOptions): Promise<Page<MemoryRecord>> {
    // The count and the page from one snapshot.
    return this.#connection.read((q) => this.#reads.listMemories(q, tenant, options));
  }
  async updateMemory(tenant: string, id: string, patch: MemoryPatch): Promise<MemoryRecord> {
    return this.#write(async (q) => (await this.#writes.update(q, tenant, id, patch)).record);
  }
  async invalidateMemory(tenant: string, id: string, change: Invalidation): Promise<MemoryRecord> {
    return this.#write(async (q) => (await this.#writes.invalidate(q, tenant, id, change)).record);
  }
  async deleteMemory(
    tenant: string,
    id: string,
    change: { at: string; actor?: string | null },
  ): Promise<void> {
    await this.#write(async (q) => {
      const row = await this.#reads.currentRow(q, tenant, id, true);
      if (!row) throw memoryNotFound(id);
      await this.#writes.tombstone(q, tenant, [row], change);
    });
  }
  async deleteMemories(
    tenant: string,
    filter: FilterNode,
    change: { at: string; actor?: string | null },
  ): Promise<number> {
    return this.#write(async (q) => {
      const rows = await this.#reads.matching(q, tenant, filter);
      await this.#writes.tombstone(q, tenant, rows, change);
      return rows.length;
    });
  }
  async history(tenant: string, id: string): Promise<HistoryEntry[]> {
    return this.#readOnly((q) => this.#reads.history(q, tenant, id));
  }
  async versions(tenant: string, id: string): Promise<MemoryVersion[]> {
    return this.#readOnly((q) => this.#reads.versions(q, tenant, id));
  }
  async recordAccess(tenant: string, ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#write((q) => this.#writes.recordAccess(q, tenant, ids, at));
  }

  // search
  vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredHit[]> {
    return this.#search.vectorSearch(tenant, query, options);
  }
  textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredHit[]> {
    return this.#search.textSearch(tenant, query, options);
  }
  vectorSearchAmong(...args: Parameters<Store['vectorSearchAmong']>): Promise<ScoredHit[]> {
    return this.#search.vectorSearchAmong(...args);
  }
  vectorSimilarities(...args: Parameters<Store['vectorSimilarities']>): Promise<Map<string, number>> {
    return this.#search.vectorSimilarities(...args);
  }

  // vector maintenance
  vectorWidth(): Promise<number | null> {
    return this.#maintenance.vectorWidth();
  }
  async resetVectors(width: number): Promise<void> {
    try {
      await this.#maintenance.resetVectors(width);
    } finally {
      this.#vectors.forget();
    }
  }
  versionsToEmbed(tenant: string | null, model: string, limit: number): Promise<VersionToEmbed[]> {
    return this.#maintenance.versionsToEmbed(tenant, model, limit);
  }
  async setEmbeddings(
    rows: { tenant: string; id: string; version: number; embedding: Float32Array }[],
    model: string,
  ): Promise<void> {
    try {
      await this.#maintenance.setEmbeddings(rows, model);
    } catch (error) {
      this.#vectors.forget();
      throw error;
    }
  }
  stats(): Promise<StoreStats> {
    return this.#maintenance.stats();
  }
  reset(tenant: string | null): Promise<void> {
    return this.#maintenance.reset(tenant);
  }
  eraseScope(tenant: string, scope: ErasureScope): Promise<ErasureCounts> {
    return eraseScope(this.#connection, tenant, scope);
  }
  eraseMemories(tenant: string, ids: string[]): Promise<MemoryErasureCounts> {
    return eraseMemories(this.#connection, tenant, ids);
  }
  memoryTenants(): Promise<string[]> {
    return memoryTenants(this.#connection);
  }

  // messages and usage
  appendMessages(scope: Scope, messages: NewMessage[], at?: string): Promise<StoredMessage[]> {
    return this.#messages.appendMessages(scope, messages, at);
  }
  recentMessages(scope: Scope, limit: number, options?: RecentMessagesOptions): Promise<StoredMessage[]> {
    return this.#messages.recentMessages(scope, limit, options);
  }
  messagesAfter(scope: Scope, afterId: number, limit: number): Promise<StoredMessage[]> {
    return this.#messages.messagesAfter(scope, afterId, limit);
  }
  recordUsage(
    tenant: string,
    scope: { userId: string | null; agentId: string | null; runId: string | null },
    delta: UsageDelta,
    at: string,
  ): Promise<void> {
    return this.#usage.recordUsage(tenant, scope, delta, at);
  }
  usageTotals(
    tenant: string,
    scope: { userId?: string | null; agentId?: string | null; runId?: string | null },
  ): Promise<UsageTotals[]> {
    return this.#usage.usageTotals(tenant, scope);
  }

  // keys
  createApiKey(key: NewApiKey): Promise<ApiKeyRecord> {
    return this.#keys.createApiKey(key);
  }
  findApiKey(hash: string): Promise<ApiKeyRecord | null> {
    return this.#keys.findApiKey(hash);
  }
  listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]> {
    return this.#keys.listApiKeys(tenant);
  }
  revokeApiKey(tenant: string | null, id: string, at: string): Promise<ApiKeyRecord> {
    return this.#keys.revokeApiKey(tenant, id, at);
  }

  // jobs: the signatures are the JobStore contract's own
  enqueueJob(...args: Parameters<JobStore['enqueueJob']>): ReturnType<JobStore['enqueueJob']> {
    return this.#jobs.enqueueJob(...args);
  }
  claimJobs(...args: Parameters<JobStore['claimJobs']>): ReturnType<JobStore['claimJobs']> {
    return this.#jobs.claimJobs(...args);
  }
  completeJob(...args: Parameters<JobStore['completeJob']>): ReturnType<JobStore['completeJob']> {
    return this.#jobs.completeJob(...args);
  }
  failJob(...args: Parameters<JobStore['failJob']>): ReturnType<JobStore['failJob']> {
    return this.#jobs.failJob(...args);
  }
  renewJobLease(...args: Parameters<JobStore['renewJobLease']>): ReturnType<JobStore['renewJobLease']> {
    return this.#jobs.renewJobLease(...args);
  }
  getJob(...args: Parameters<JobStore['getJob']>): ReturnType<JobStore['getJob']> {
    return this.#jobs.getJob(...args);
  }
  listJobs(...args: Parameters<JobStore['listJobs']>): ReturnType<JobStore['listJobs']> {
    return this.#jobs.listJobs(...args);
  }
  retryJob(...args: Parameters<JobStore['retryJob']>): ReturnType<JobStore['retryJob']> {
    return this.#jobs.retryJob(...args);
  }
  jobCounts(...args: Parameters<JobStore['jobCounts']>): ReturnType<JobStore['jobCounts']> {
    return this.#jobs.jobCounts(...args);
  }
}
