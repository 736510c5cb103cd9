import type { ChatModel } from '../../spec/chat-model.js';
import type { MemoryType, Metadata } from '../../spec/memory-record.js';
import type { Store } from '../../spec/store.js';
import type { InputMessage } from '../api-types.js';
import type { EmbeddingGate } from '../embedding-gate.js';
import type { ScopeIds } from '../resolve-scope.js';

export interface InferContext {
  store: Store;
  gate: EmbeddingGate;
  chain: readonly ChatModel[];
  tenant: string;
  now: () => string;
  mode: 'two-pass' | 'single-pass';
  contextMessages: number;
  customInstructions?: string | undefined;
  /** Replacement system prompts (config extraction.prompts); the reply schemas stay engram's. */
  prompts?:
    | { extract?: string | undefined; reconcile?: string | undefined; singlePass?: string | undefined }
    | undefined;
}

export interface InferRequest {
  ids: ScopeIds;
  messages: InputMessage[];
  eventTime: string;
  metadata: Metadata;
  memoryType: MemoryType;
  actorId?: string | null;
  /** The request's own messages are already the newest in the log (skip them when reading context). */
  logged: boolean;
}

export interface Operation {
  event: 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';
  fact: number;
  id?: number | null | undefined;
  text?: string | null | undefined;
}
