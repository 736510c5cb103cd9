export type * from './memory/api-types.js';
export { Memory, type MemoryDeps } from './memory/memory.js';
export type { ChatModel, Embedder, Filter, MemoryRecord, ProviderSettings, Store } from './spec/index.js';
export { type ErrorCategory, type ErrorCode, MemoryError } from './spec/memory-error.js';
export { SqliteStore } from './stores/sqlite/index.js';
