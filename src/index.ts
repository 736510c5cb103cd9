export type { StoreSettings } from './config/engram-config.js';
export type {
  EngramConfig,
  EngramConfigInput,
  ExtractionConfig,
  LimitsConfig,
  Mem0Config,
  SearchConfig,
} from './config/index.js';
export type { ErrorBody } from './memory/access/error-payload.js';
export type { Principal } from './memory/access/principal.js';
export { type AddInput, type QueuedAdd, ScopedMemory } from './memory/access/scoped-memory.js';
export type * from './memory/api-types.js';
export { Memory, type MemoryDeps } from './memory/memory.js';
export type { EmbedCallEvent, LlmCallEvent, ModelObserver } from './memory/observed-models.js';
export type { ModelSettings, ProviderDeps } from './providers/provider-deps.js';
export {
  listProviders,
  type ProviderDefaults,
  type ProviderEntry,
  type ProviderFactory,
  registerProvider,
} from './providers/registry.js';
// What a store backend implements (see docs/architecture.md, "The Store contract").
export type {
  ApiKeyRecord,
  Change,
  ChangeOutcome,
  ChatMessage,
  ChatModel,
  ChatRequest,
  ChatResponse,
  ChatUsage,
  Embedder,
  EmbedResult,
  FetchLike,
  Filter,
  HistoryEntry,
  JobRecord,
  JobStore,
  KeyStore,
  MemoryPatch,
  MemoryRecord,
  MemoryStore,
  MemoryVersion,
  MessageStore,
  MetaStore,
  NewMemory,
  NewMessage,
  ProviderHealth,
  ProviderSettings,
  ScoredHit,
  SearchStore,
  Store,
  StoreCapability,
  StoreDialect,
  StoreLifecycle,
  StoreStats,
  TimeWindow,
  UsageStore,
  VectorMaintenance,
  VersionToEmbed,
} from './spec/index.js';
export {
  type ErrorCategory,
  type ErrorCode,
  type ErrorHint,
  MemoryError,
  type MemoryErrorOptions,
} from './spec/memory-error.js';
export { STORE_CAPABILITIES } from './spec/store.js';
export { knownStores, registerStore, type StoreFactory } from './stores/registry.js';
export { SqliteStore } from './stores/sqlite/index.js';
