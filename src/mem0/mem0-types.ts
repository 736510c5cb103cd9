import type { EngramConfigInput } from '../config/engram-config.js';
import type { ScoreExplanation } from '../memory/api-types.js';
import type { Filter } from '../spec/filter.js';
import type { HistoryEvent, Metadata } from '../spec/memory-record.js';

/**
 * The types of mem0ai/oss's `Memory`, declared by engram for its façade (`engram/mem0`): the same
 * names and fields, so code written against mem0ai/oss compiles unchanged. Where engram's value
 * differs, the field says how (docs/mem0-compatibility.md has the whole table).
 */

/** An image part of a message. Accepted by the type for source compatibility; add() refuses it. */
export interface MultiModalMessages {
  type: 'image_url';
  image_url: { url: string };
}

export interface Message {
  role: string;
  content: string | MultiModalMessages;
}

/** A `{provider, config}` part of a mem0 config (llm, embedder, vectorStore, reranker...). */
export interface ProviderConfig {
  provider: string;
  config: Record<string, unknown>;
}

/**
 * A mem0ai/oss config. engram's config loader maps it (src/config/mem0-config.ts) and reports
 * what it does not use in `Memory.warnings`. engram's own keys (dbPath, tenant, search, limits,
 * extraction, graph) may ride along.
 */
export interface MemoryConfig
  extends Pick<EngramConfigInput, 'dbPath' | 'tenant' | 'search' | 'limits' | 'extraction' | 'graph'> {
  version?: string;
  embedder?: ProviderConfig;
  vectorStore?: ProviderConfig;
  llm?: ProviderConfig;
  reranker?: ProviderConfig;
  historyStore?: { provider: string; config: { historyDbPath?: string; [key: string]: unknown } };
  disableHistory?: boolean;
  historyDbPath?: string;
  /** Extra extraction instructions, applied to every inferred add. */
  customInstructions?: string;
}

/** Scope ids, camelCase as mem0ai/oss takes them. */
export interface Entity {
  userId?: string;
  agentId?: string;
  runId?: string;
}

/**
 * mem0's filter: scope ids (`user_id`, `agent_id`, `run_id`) and metadata conditions, with
 * AND / OR / NOT and the operators eq, ne, gt, gte, lt, lte, in, nin, contains, icontains.
 */
export interface SearchFilters extends Filter {
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

/** One memory as mem0ai/oss returns it from get, getAll and search. */
export interface MemoryItem {
  id: string;
  memory: string;
  hash: string;
  createdAt: string;
  /** Always set (mem0 leaves it out until the first update of a memory added with infer: false). */
  updatedAt: string;
  /** Search only: engram's final score in [0, 1], higher is better. */
  score?: number;
  /** The caller's metadata (and `expiration_date`); never the scope ids. */
  metadata: Metadata;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
  /** Search with `explain: true`: engram's breakdown of the score (not mem0's fields). */
  score_details?: ScoreExplanation;
}

export interface SearchResult {
  results: MemoryItem[];
}

export type AddMemoryEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';

/** One memory an add wrote or matched. */
export interface AddMemoryItem {
  id: string;
  memory: string;
  /** `previousMemory`: the text an UPDATE replaced. */
  metadata: { event: AddMemoryEvent; previousMemory?: string };
}

export interface AddMemoryResult {
  results: AddMemoryItem[];
}

export interface AddMemoryOptions extends Entity {
  metadata?: Record<string, unknown>;
  /** Another way to give the scope: `{user_id, agent_id, run_id}` (nothing else). */
  filters?: SearchFilters;
  infer?: boolean;
  /** When the conversation happened (engram's `eventTime`; mem0ai/oss refuses it). */
  timestamp?: number | string | Date | null;
  /** Day (YYYY-MM-DD) after which the memories are hidden from getAll and search. */
  expirationDate?: string | null;
}

export interface UpdateMemoryOptions {
  text?: string;
  /** @deprecated mem0's old name for `text`. */
  data?: string;
  /** Merged into the existing metadata; a key set to null is removed. */
  metadata?: Record<string, unknown>;
  /** Day (YYYY-MM-DD) after which the memory expires, or null to clear it. */
  expirationDate?: string | null;
}

export interface SearchMemoryOptions {
  topK?: number;
  filters?: SearchFilters;
  /** Minimum final score in [0, 1] (engram's score, not the cosine similarity); no default. */
  threshold?: number;
  explain?: boolean;
  /** Refused: use the native search's `asOf` (`memory.engram.search(query, {asOf})`). */
  referenceDate?: number | string | Date | null;
  /** `true` is refused: engram has no reranker. */
  rerank?: boolean;
  showExpired?: boolean;
}

export interface GetAllMemoryOptions {
  topK?: number;
  filters?: SearchFilters;
  showExpired?: boolean;
}

export interface DeleteAllMemoryOptions extends Entity {}

export interface UpdateProjectOptions {
  decay?: boolean;
  [key: string]: unknown;
}

/** A row of a memory's history, newest first, in mem0's SQLite history shape. */
export interface MemoryHistoryRow {
  id: number;
  memory_id: string;
  previous_value: string | null;
  new_value: string | null;
  /** mem0's ADD / UPDATE / DELETE, and engram's INVALIDATE / RESTORE. */
  action: HistoryEvent;
  /** When the memory was created (for ADD: the same instant as the event). */
  created_at: string;
  /** When the event happened, except for ADD (null). */
  updated_at: string | null;
  /** 1 for DELETE, else 0. */
  is_deleted: 0 | 1;
}
