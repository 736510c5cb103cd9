import type { Memory as Mem0OssMemory } from 'mem0ai/oss';
import type { Memory } from '../../src/mem0/index.js';

/**
 * Compile-time check (npm run typecheck): code typed against mem0ai/oss's Memory accepts
 * engram's façade, method for method.
 */
type Mem0Surface = Pick<
  Mem0OssMemory,
  | 'add'
  | 'get'
  | 'search'
  | 'update'
  | 'delete'
  | 'deleteAll'
  | 'history'
  | 'reset'
  | 'getAll'
  | 'updateProject'
>;

export const fitsMem0Surface = (memory: Memory): Mem0Surface => memory;
