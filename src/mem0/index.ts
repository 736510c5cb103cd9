/**
 * `engram/mem0`: mem0ai/oss's Memory over engram. Change `from 'mem0ai/oss'` to
 * `from 'engram/mem0'`; docs/mem0-compatibility.md lists what differs.
 */
export type {
  AddMemoryEvent,
  AddMemoryItem,
  AddMemoryOptions,
  AddMemoryResult,
  DeleteAllMemoryOptions,
  Entity,
  GetAllMemoryOptions,
  MemoryConfig,
  MemoryHistoryRow,
  MemoryItem,
  Message,
  MultiModalMessages,
  ProviderConfig,
  SearchFilters,
  SearchMemoryOptions,
  SearchResult,
  UpdateMemoryOptions,
  UpdateProjectOptions,
} from './mem0-types.js';
export { Memory } from './memory.js';
