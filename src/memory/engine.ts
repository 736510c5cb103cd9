import type { EngramConfig } from '../config/engram-config.js';
import { DerivedIndex } from '../indexes/derived-index.js';
import { createIndex } from '../indexes/registry.js';
import { createChatModel, createEmbedder, requireProvider } from '../providers/registry.js';
import type { ChatModel } from '../spec/chat-model.js';
import type { Embedder } from '../spec/embedder.js';
import type { FetchLike } from '../spec/provider-settings.js';
import type { Store } from '../spec/store.js';
import type { VectorIndex } from '../spec/vector-index.js';
import { createStore, storeSettings } from '../stores/registry.js';
import { ScopeLock } from '../util/scope-lock.js';
import { AuditRecorder } from './audit/audit-recorder.js';
import { EmbeddingGate } from './embedding-gate.js';
import { llmMissing } from './models/llm-missing.js';
import { ObserverSet, observeChat, observeEmbedder } from './observed-models.js';
import { AccessRecorder } from './search/access-recorder.js';

/** How long close() waits for the derived index to take the last writes. */
const INDEX_DRAIN_MS = 5000;

export interface MemoryDeps {
  /** Use these chat models (a fallback chain) instead of the configured ones. */
  llm?: ChatModel[];
  /** Use this store instead of the configured one (config store / dbPath); the caller keeps ownership. */
  store?: Store;
  /** Use this embedder instead of the configured one; null disables vectors. */
  embedder?: Embedder | null;
  /** Use this derived index instead of the configured one (config index); the engine closes it. */
  index?: VectorIndex;
  fetch?: FetchLike;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  now?: () => Date;
  /**
   * Receives each configuration warning (a mem0 config's unused parts, ...). Default: each is
   * emitted once per process with process.emitWarning (code ENGRAM_CONFIG).
   */
  onWarning?: (warning: string) => void;
}

/** The opened engine: what every operation reads and writes through. */
export interface OpenEngine {
  store: Store;
  gate: EmbeddingGate;
  /** Access counts of search hits, written in batches off the request path. */
  access: AccessRecorder;
  /** The derived vector index (Qdrant, Chroma) and its feeder; null without one. */
  index: DerivedIndex | null;
}

/**
 * The tenant-independent state every tenant view of one Memory shares: the store, the embedder
 * (behind its gate), the model chain, the per-scope locks and the observers. Construction does
 * no I/O; `open()` opens and migrates the store on first use and is retried after a failure.
 */
export class Engine {
  readonly locks = new ScopeLock();
  readonly observers = new ObserverSet();
  /** Audit entries of every tenant view, written in batches off the request path (config.audit). */
  readonly audit: AuditRecorder;
  readonly #config: EngramConfig;
  readonly #deps: MemoryDeps;
  #ready: Promise<OpenEngine> | undefined;
  #chain: readonly ChatModel[] | undefined;

  constructor(config: EngramConfig, deps: MemoryDeps) {
    this.#config = config;
    this.#deps = deps;
    // A read-only store cannot keep a log: its calls are not recorded (docs/security.md).
    this.audit = new AuditRecorder(async () => (await this.open()).store.audit, {
      ...config.audit,
      enabled: config.audit.enabled && config.store?.readOnly !== true,
      now: () => this.now(),
    });
    // An unknown provider fails here, not at the first call after a database file was created.
    if (deps.embedder === undefined && config.embedder !== null) requireProvider(config.embedder, 'embedder');
    if (deps.llm === undefined) for (const llm of config.llm) requireProvider(llm, 'chat');
  }

  /** The store and the embedding gate, opened once (a failed open is tried again next time). */
  async open(): Promise<OpenEngine> {
    this.#ready ??= this.#openOnce();
    try {
      return await this.#ready;
    } catch (error) {
      this.#ready = undefined;
      throw error;
    }
  }

  async #openOnce(): Promise<OpenEngine> {
    // The embedder first: building it does no I/O, and a bad setting must not leave a store open.
    const embedder =
      this.#deps.embedder !== undefined
        ? this.#deps.embedder
        : this.#config.embedder === null
          ? null
          : createEmbedder(this.#config.embedder, { fetch: this.#deps.fetch });
    const store = this.#deps.store ?? (await createStore(storeSettings(this.#config)));
    try {
      await store.init();
    } catch (error) {
      if (this.#deps.store === undefined) await store.close().catch(() => undefined);
      throw error;
    }
    let index: DerivedIndex | null = null;
    try {
      index = await this.#openIndex(store);
    } catch (error) {
      if (this.#deps.store === undefined) await store.close().catch(() => undefined);
      throw error;
    }
    return {
      store,
      gate: new EmbeddingGate(embedder && observeEmbedder(embedder, this.observers), store),
      access: new AccessRecorder(store),
      index,
    };
  }

  /** The configured derived index, registered in the store and fed from its outbox. */
  async #openIndex(store: Store): Promise<DerivedIndex | null> {
    const vectorIndex =
      this.#deps.index ?? (this.#config.index ? await createIndex(this.#config.index) : undefined);
    if (!vectorIndex) return null;
    const readOnly = this.#config.store?.readOnly === true;
    const index = new DerivedIndex(store, vectorIndex, { feed: !readOnly });
    try {
      await index.open();
    } catch (error) {
      await vectorIndex.close().catch(() => undefined);
      throw error;
    }
    return index;
  }

  /**
   * Runs `fn` alone for its scope key: in this process (the engine's lock) and, when the store
   * offers it, across every process sharing the store (PostgreSQL's advisory locks).
   */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, async () => {
      const { store } = await this.open();
      return store.lockScope ? store.lockScope(key, fn) : fn();
    });
  }

  /** The LLM fallback chain, built on first use, every model reporting to the observers. */
  chain(): readonly ChatModel[] {
    this.#chain ??= (
      this.#deps.llm ?? this.#config.llm.map((s) => createChatModel(s, { fetch: this.#deps.fetch }))
    ).map((model) => observeChat(model, this.observers));
    return this.#chain;
  }

  /** Throws llm_not_configured when neither the config nor the deps name an LLM. */
  requireLlm(): void {
    if (this.#config.llm.length === 0 && !this.#deps.llm?.length) throw llmMissing();
  }

  /** The current time as ISO 8601 (injectable through deps.now for tests). */
  now(): string {
    return (this.#deps.now?.() ?? new Date()).toISOString();
  }

  /**
   * Writes pending access counts, then closes the store if the engine opened it; an injected
   * store stays the caller's to close.
   */
  async close(): Promise<void> {
    // Audit entries first: writing them opens the store when no call did (a CLI call refused early).
    await this.audit.close();
    const ready = this.#ready;
    if (!ready) return;
    const opened = await ready.catch(() => undefined);
    if (!opened) return;
    await opened.access.close();
    // A last feeding pass, so a short-lived process (a CLI command) leaves the index current.
    await opened.index?.close(INDEX_DRAIN_MS);
    if (this.#deps.store === undefined) await opened.store.close();
  }
}
