import type { ApiKeyRecord, NewApiKey } from '../../spec/api-key.js';
import type { AuditStore } from '../../spec/audit-log.js';
import type { FilterNode } from '../../spec/filter.js';
import type { GraphStore, GraphWrite } from '../../spec/graph.js';
import type { IndexOutbox } from '../../spec/index-outbox.js';
import type { JobStore, LeaseGuard } from '../../spec/job.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { HistoryEntry, MemoryRecord, MemoryVersion, StoredMessage } from '../../spec/memory-record.js';
import type { Scope } from '../../spec/scope.js';
import {
  type CandidateQuery,
  type Change,
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
import { resolveSupersededBy } from '../shared/change-refs.js';
import { toMemoryRecord } from '../shared/row-mapping.js';
import { memoryNotFound } from '../shared/store-errors.js';
import type { AnnOptions } from './ann-index.js';
import { SqliteAudit } from './sqlite-audit.js';
import { SqliteConnection } from './sqlite-connection.js';
import { eraseScope } from './sqlite-erase.js';
import { eraseMemories, memoryTenants } from './sqlite-erase-memories.js';
import { sqliteFailure } from './sqlite-failure.js';
import { SqliteGraph } from './sqlite-graph.js';
import { checkHealth } from './sqlite-health.js';
import { SqliteJobs } from './sqlite-jobs.js';
import { SqliteKeys } from './sqlite-keys.js';
import { SqliteMaintenance } from './sqlite-maintenance.js';
import { SqliteMemoryReads } from './sqlite-memory-reads.js';
import { SqliteMemoryWrites } from './sqlite-memory-writes.js';
import { SqliteMessages } from './sqlite-messages.js';
import { migrate, refuseForeignFile } from './sqlite-migrator.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import { SqliteSearch } from './sqlite-search.js';
import { SqliteTransfer } from './sqlite-transfer.js';
import { SqliteUsage } from './sqlite-usage.js';
import { SqliteVectors } from './sqlite-vectors.js';

export interface SqliteStoreOptions {
  /** File path, or ":memory:". */
  path: string;
  /** Milliseconds to wait for another process's write lock. */
  busyTimeoutMs?: number;
  /** In-process HNSW for large partitions (usearch, optional dependency); false: always exact. */
  ann?: AnnOptions | false;
  /**
   * Open an existing, current engram file for reads only (a replica, a file on a read-only
   * mount): searches and reads work, every write is a `read_only` error, nothing is migrated.
   * A file this process may not write is served the same way without this option.
   */
  readOnly?: boolean;
  /** Encrypt the file at rest with this passphrase (sqlite-cipher.ts; needs better-sqlite3-multiple-ciphers). */
  encryptionKey?: string | undefined;
  /** A file whose first line is the passphrase; the alternative to encryptionKey. */
  encryptionKeyFile?: string | undefined;
}

/** Every capability of the contract. */
const CAPABILITIES: ReadonlySet<StoreCapability> = new Set(STORE_CAPABILITIES);

/**
 * The embedded source of truth: one SQLite file holding memories and their versions, vectors
 * (sqlite-vec), full-text (FTS5), history, the message log, jobs, keys and usage. This class only
 * composes the parts of the driver folder; every write is one `connection.write` transaction
 * (a failed commit is an error, never a silent success) and every query carries the tenant
 * predicate.
 */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite';
  static readonly CAPABILITIES = CAPABILITIES;
  readonly capabilities = CAPABILITIES;
  readonly #connection: SqliteConnection;
  #vectorTable: SqliteVectors | undefined;
  readonly #reads: SqliteMemoryReads;
  readonly #writes: SqliteMemoryWrites;
  readonly #search: SqliteSearch;
  readonly #maintenance: SqliteMaintenance;
  readonly #messages: SqliteMessages;
  readonly #usage: SqliteUsage;
  readonly #jobs: SqliteJobs;
  readonly #keys: SqliteKeys;
  #transfer: SqliteTransfer | undefined;
  readonly #outbox: SqliteOutbox;
  readonly #graph: SqliteGraph;
  readonly #audit: SqliteAudit;

  constructor(options: SqliteStoreOptions) {
    this.#connection = new SqliteConnection(options.path, {
      busyTimeoutMs: options.busyTimeoutMs,
      readOnly: options.readOnly,
      encryptionKey: options.encryptionKey,
      encryptionKeyFile: options.encryptionKeyFile,
    });
    const vectors = () => this.#vectors;
    this.#reads = new SqliteMemoryReads(this.#connection);
    this.#writes = new SqliteMemoryWrites(this.#connection, this.#reads, vectors);
    this.#search = new SqliteSearch(this.#connection, vectors, options.ann ?? {});
    this.#maintenance = new SqliteMaintenance(this.#connection, vectors);
    this.#messages = new SqliteMessages(this.#connection);
    this.#usage = new SqliteUsage(this.#connection);
    this.#jobs = new SqliteJobs(this.#connection);
    this.#keys = new SqliteKeys(this.#connection);
    this.#outbox = new SqliteOutbox(this.#connection);
    this.#graph = new SqliteGraph(this.#connection);
    this.#audit = new SqliteAudit(this.#connection);
  }

  /** The audit log: who did what, never the content (spec/audit-log.ts). */
  get audit(): AuditStore {
    return this.#audit;
  }

  /** The outbox feeding derived vector indexes. */
  get outbox(): IndexOutbox {
    return this.#outbox;
  }

  /** Entities and relations (reads); they are written by applyChanges. */
  get graph(): GraphStore {
    return this.#graph;
  }

  get #vectors(): SqliteVectors {
    if (!this.#vectorTable)
      throw new MemoryError('store_error', 'The store is not initialised: call init() first.');
    return this.#vectorTable;
  }

  /** Export and import of the whole file (`engram migrate`); made on first use, after init. */
  get transfer(): StoreTransfer {
    this.#transfer ??= new SqliteTransfer(this.#connection, () => this.#vectors);
    return this.#transfer;
  }

  /** Whether writes are refused (`readOnly`); a file that merely cannot be written says so on the first write. */
  get readOnly(): boolean {
    return this.#connection.readOnly;
  }

  /** Checks that the file is a (current or older) engram database, migrates it, opens the vectors. */
  async init(): Promise<void> {
    if (this.#vectorTable) return;
    refuseForeignFile(this.#connection);
    this.#connection.configure();
    migrate(this.#connection);
    try {
      const vectors = new SqliteVectors(this.#connection.db);
      this.#connection.onRollback(() => vectors.forget());
      this.#vectorTable = vectors;
    } catch (cause) {
      throw sqliteFailure(this.#connection.path, cause, 'open');
    }
  }

  async health(): Promise<StoreHealth> {
    return checkHealth(this.#connection);
  }

  async close(): Promise<void> {
    this.#connection.close();
  }

  // meta
  async getMeta(key: string): Promise<string | null> {
    return this.#connection.getMeta(key);
  }
  async setMeta(key: string, value: string): Promise<void> {
    this.#connection.write(() => this.#connection.setMeta(key, value));
  }

  // memories and versions
  async insertMemories(tenant: string, memories: NewMemory[]): Promise<InsertOutcome[]> {
    return this.#connection.write(() => memories.map((m) => this.#writes.insert(tenant, m)));
  }

  async applyChanges(
    tenant: string,
    changes: Change[],
    guard?: LeaseGuard,
    graph?: GraphWrite,
  ): Promise<ChangeOutcome[]> {
    return this.#connection.write(() => {
      // A job's effects commit only with its lease: checked (and extended) in this transaction.
      if (guard) this.#jobs.requireLeases(tenant, guard);
      const outcomes: ChangeOutcome[] = [];
      for (const change of changes) {
        if (change.kind === 'insert') {
          const { record, inserted } = this.#writes.insert(tenant, change.memory);
          outcomes.push({ kind: 'insert', record, inserted, previousText: null });
        } else if (change.kind === 'update') {
          outcomes.push({
            kind: 'update',
            inserted: false,
            ...this.#writes.update(tenant, change.id, change.patch),
          });
        } else if (change.kind === 'delete') {
          const row = this.#reads.currentRow(tenant, change.id);
          if (!row) throw memoryNotFound(change.id);
          this.#writes.tombstone(tenant, [row], change);
          outcomes.push({
            kind: 'delete',
            record: toMemoryRecord(row),
            inserted: false,
            previousText: row.v_text,
          });
        } else {
          const supersededBy = resolveSupersededBy(change.supersededBy, outcomes);
          const done = this.#writes.invalidate(tenant, change.id, { ...change, supersededBy });
          outcomes.push({ kind: 'invalidate', inserted: false, ...done });
        }
      }
      // The add's graph commits with its memories (a relation may name an outcome by {change: n}).
      if (graph) this.#graph.write(tenant, graph, outcomes);
      return outcomes;
    });
  }

  async getMemory(tenant: string, id: string, window?: TimeWindow): Promise<MemoryRecord | null> {
    return this.#reads.getMemory(tenant, id, window);
  }
  async getMemories(tenant: string, ids: string[], window?: TimeWindow): Promise<MemoryRecord[]> {
    return this.#reads.getMemories(tenant, ids, window);
  }
  async findByHash(tenant: string, filter: FilterNode, hash: string): Promise<MemoryRecord | null> {
    return this.#reads.findByHash(tenant, filter, hash);
  }
  async listMemories(tenant: string, options: ListOptions): Promise<Page<MemoryRecord>> {
    return this.#reads.listMemories(tenant, options);
  }
  async updateMemory(tenant: string, id: string, patch: MemoryPatch): Promise<MemoryRecord> {
    return this.#connection.write(() => this.#writes.update(tenant, id, patch).record);
  }
  async invalidateMemory(tenant: string, id: string, change: Invalidation): Promise<MemoryRecord> {
    return this.#connection.write(() => this.#writes.invalidate(tenant, id, change).record);
  }
  async deleteMemory(
    tenant: string,
    id: string,
    change: { at: string; actor?: string | null },
  ): Promise<void> {
    this.#connection.write(() => {
      const row = this.#reads.currentRow(tenant, id);
      if (!row) throw memoryNotFound(id);
      this.#writes.tombstone(tenant, [row], change);
    });
  }
  async deleteMemories(
    tenant: string,
    filter: FilterNode,
    change: { at: string; actor?: string | null },
  ): Promise<number> {
    return this.#connection.write(() => {
      const rows = this.#reads.matching(tenant, filter);
      this.#writes.tombstone(tenant, rows, change);
      return rows.length;
    });
  }
  async history(tenant: string, id: string): Promise<HistoryEntry[]> {
    return this.#reads.history(tenant, id);
  }
  async versions(tenant: string, id: string): Promise<MemoryVersion[]> {
    return this.#reads.versions(tenant, id);
  }
  async recordAccess(tenant: string, ids: string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    this.#connection.write(() => this.#writes.recordAccess(tenant, ids, at));
  }

  // search
  vectorSearch(tenant: string, query: Float32Array, options: CandidateQuery): Promise<ScoredHit[]> {
    return this.#search.vectorSearch(tenant, query, options);
  }
  async textSearch(tenant: string, query: string, options: CandidateQuery): Promise<ScoredHit[]> {
    return this.#search.textSearch(tenant, query, options);
  }
  async vectorSearchAmong(
    tenant: string,
    ids: string[],
    query: Float32Array | null,
    options: CandidateQuery,
  ): Promise<ScoredHit[]> {
    return this.#search.vectorSearchAmong(tenant, ids, query, options);
  }

  async vectorSimilarities(
    tenant: string,
    ids: string[],
    query: Float32Array,
    window?: TimeWindow,
  ): Promise<Map<string, number>> {
    return this.#search.vectorSimilarities(tenant, ids, query, window);
  }

  // vector maintenance
  async vectorWidth(): Promise<number | null> {
    return this.#maintenance.vectorWidth();
  }
  async resetVectors(width: number): Promise<void> {
    this.#maintenance.resetVectors(width);
  }
  async versionsToEmbed(tenant: string | null, model: string, limit: number): Promise<VersionToEmbed[]> {
    return this.#maintenance.versionsToEmbed(tenant, model, limit);
  }
  async setEmbeddings(
    rows: { tenant: string; id: string; version: number; embedding: Float32Array }[],
    model: string,
  ): Promise<void> {
    this.#maintenance.setEmbeddings(rows, model);
  }
  async stats(): Promise<StoreStats> {
    return this.#maintenance.stats();
  }
  async reset(tenant: string | null): Promise<void> {
    this.#maintenance.reset(tenant);
  }
  async eraseScope(tenant: string, scope: ErasureScope): Promise<ErasureCounts> {
    return eraseScope(this.#connection, () => this.#vectors, tenant, scope);
  }
  async eraseMemories(tenant: string, ids: string[]): Promise<MemoryErasureCounts> {
    return eraseMemories(this.#connection, () => this.#vectors, tenant, ids);
  }
  async memoryTenants(): Promise<string[]> {
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
