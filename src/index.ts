export type * from './memory/api-types.js';
export { Memory, type MemoryDeps } from './memory/memory.js';
export { MemoryError, type ErrorCode, type ErrorCategory } from './spec/memory-error.js';
export type { Embedder, ChatModel, Store, Filter, MemoryRecord, ProviderSettings } from './spec/index.js';
export { SqliteStore } from './stores/sqlite/index.js';
