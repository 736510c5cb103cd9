import type { GraphConfig } from '../../config/engram-config.js';
import type { ChatModel } from '../../spec/chat-model.js';
import type { GraphStore } from '../../spec/graph.js';
import type { MemoryType, Metadata } from '../../spec/memory-record.js';
import type { Store } from '../../spec/store.js';
import type { InputMessage } from '../api-types.js';
import type { EmbeddingGate } from '../embedding-gate.js';
import type { ScopeIds } from '../resolve-scope.js';
import type { SafetyConfig } from '../safety/safety-mark.js';

export interface InferContext {
  store: Store;
  gate: EmbeddingGate;
  chain: readonly ChatModel[];
  tenant: string;
  now: () => string;
  mode: 'two-pass' | 'single-pass';
  contextMessages: number;
  customInstructions?: string | undefined;
  /** Redaction and instruction detection for what the model writes (config safety). */
  safety: SafetyConfig;
  /** The graph step (config graph.enabled): where entities are read, and its settings. */
  graph?: { store: GraphStore; settings: GraphConfig } | null | undefined;
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
  /** The caller's importance for what this add writes, in place of the model's estimate. */
  importance?: number | null | undefined;
  /** The request's own messages are already in the log (they are not logged again). */
  logged: boolean;
  /** Extra extraction instructions of this add, after the configured ones. */
  customInstructions?: string | undefined;
  /**
   * Refs of the request's first logged messages (`<job id>:0`): the context is the messages
   * logged before them, so a retry reads what preceded the request, not what came after it.
   * Absent: the newest messages, less the request's own when `logged`.
   */
  contextBefore?: string[] | undefined;
  /**
   * Where each message came from, one per message, when they come from several adds (a group of
   * queued jobs); absent: every message is this request's own (eventTime, actorId, ...).
   */
  origins?: MessageOrigin[] | undefined;
  /** The log refs of `messages`, one per message: the provenance (`source`) of what they teach. */
  refs?: string[] | undefined;
}

/** The add a message came from: when it was said, by whom, and what the caller attached to it. */
export interface MessageOrigin {
  eventTime: string;
  actorId: string | null;
  metadata: Metadata;
  importance: number | null;
}

export interface Operation {
  event: 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';
  fact: number;
  id?: number | null | undefined;
  text?: string | null | undefined;
}
