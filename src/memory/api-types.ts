import type { Filter } from '../spec/filter.js';
import type { HistoryEvent, MemoryState, MemoryType, Metadata } from '../spec/memory-record.js';

/** A conversation turn as mem0 accepts it. */
export interface InputMessage {
  role: 'user' | 'assistant' | 'system' | (string & {});
  content: string;
  name?: string;
}

/** Scope ids, accepted camelCase (mem0 TS) or snake_case (mem0 Python / REST). */
export interface ScopeOptions {
  userId?: string;
  agentId?: string;
  runId?: string;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
}

export interface AddOptions extends ScopeOptions {
  metadata?: Metadata;
  /** Distil facts with the LLM (default true) or store each message as a memory (false). */
  infer?: boolean;
  /** When the conversation happened (world time); defaults to now. ISO 8601, epoch seconds or ms. */
  eventTime?: string | number | Date;
  actorId?: string;
  memoryType?: MemoryType;
  /** 0–1. Inferred adds: replaces the model's estimate for every fact; raw adds: default 0.5. */
  importance?: number;
  /**
   * Day (YYYY-MM-DD, UTC) after which the memories this add writes are expired: kept, but hidden
   * from `getAll` and `search` unless `showExpired`. Stored as `metadata.expiration_date`.
   */
  expirationDate?: string | null;
  /**
   * Extra instructions for this add's extraction, after the configured ones
   * (config `extraction.customInstructions`).
   */
  customInstructions?: string;
}

/** One memory in mem0's shape plus engram's own fields. */
export interface MemoryItem {
  id: string;
  memory: string;
  hash: string;
  metadata: Metadata;
  score?: number;
  created_at: string;
  updated_at: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  actor_id: string | null;
  role: string | null;
  state: MemoryState;
  /** The version shown: the current one, or the one `asOf` / `knownAt` selected. */
  version: number;
  /** World interval of this version. */
  valid_from: string;
  valid_to: string | null;
  /** System interval of this version: when engram recorded it and when it stopped holding it. */
  recorded_at: string;
  expired_at: string | null;
  importance: number;
  memory_type: MemoryType;
  categories: string[];
  superseded_by: string | null;
  explain?: ScoreExplanation;
}

export interface ScoreExplanation {
  vector: { rank: number | null; similarity: number | null };
  /** score: the store's text relevance in [0, 1), higher is better (bm25 or ts_rank_cd, mapped s/(1+s)). */
  keyword: { rank: number | null; score: number | null };
  /** With the graph: hops from an entity the query names (null: not reached through the graph). */
  graph?: { hops: number | null; relevance: number | null };
  relevance: number;
  recency: number;
  importance: number;
  weights: { relevance: number; recency: number; importance: number };
  score: number;
}

export type AddEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';

export interface AddResultItem {
  id: string;
  memory: string;
  event: AddEvent;
  previous_memory?: string;
  metadata?: Metadata;
}

export interface Usage {
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  embedCalls: number;
  ms: Record<string, number>;
  /** The share of a part of the work already counted above (`graph`: entity and relation extraction). */
  parts?: Record<string, { llmCalls: number; inputTokens: number; outputTokens: number; embedCalls: number }>;
}

/** A relation of the graph in mem0's graph shape, with its world interval. */
export interface RelationItem {
  source: string;
  relationship: string;
  destination: string;
  valid_from: string | null;
  valid_to: string | null;
}

/** A relation an add recorded. */
export type AddRelationItem = RelationItem;

export interface AddResult {
  results: AddResultItem[];
  /** With graph.enabled: the relations this add recorded. */
  relations?: AddRelationItem[];
  usage: Usage;
  /** Present when part of the work failed; the messages are stored and a job is left to retry. */
  errors?: { code: string; message: string }[];
  status?: 'done' | 'pending';
  job_id?: string;
}

export interface GetAllOptions extends ScopeOptions {
  filters?: Filter;
  limit?: number;
  cursor?: string;
  /** Memories to skip first (numbered pages: `(page - 1) * limit`); one query whatever its size. */
  offset?: number;
  /** Include superseded (and, for audits, deleted) memories. Default: active only. */
  states?: MemoryState[];
  /** mem0's name for `limit`; giving both with different values is refused. */
  topK?: number;
  /** Include memories past their `expiration_date` (default false: hidden). */
  showExpired?: boolean;
  /** Include memories quarantined as instruction-like (metadata.engram_safety; default false: hidden). */
  includeQuarantined?: boolean;
}

export interface GetAllResult {
  results: MemoryItem[];
  next_cursor: string | null;
  total: number;
}

export interface SearchOptions extends ScopeOptions {
  filters?: Filter;
  limit?: number;
  /** Minimum final score (0..1) a result must reach. */
  threshold?: number;
  /** Return what was valid at this instant (ISO 8601 / epoch seconds or ms / Date): the version true then. */
  asOf?: string | number | Date;
  /** Judge by what engram had recorded at this instant (system time); default now. */
  knownAt?: string | number | Date;
  explain?: boolean;
  /**
   * Which retrieval paths run: 'hybrid' (default) fuses vector KNN and BM25; 'keyword' runs BM25 only
   * (no query embedding); 'vector' runs KNN only and ranks on cosine similarity. 'vector' without a
   * reachable embedder degrades to keyword, like hybrid does, and says so in `degraded`.
   */
  mode?: SearchMode;
  /** mem0's name for `limit`; giving both with different values is refused. */
  topK?: number;
  /** Include memories past their `expiration_date` (default false: hidden). */
  showExpired?: boolean;
  /** Include memories quarantined as instruction-like (metadata.engram_safety; default false: hidden). */
  includeQuarantined?: boolean;
}

export type SearchMode = 'hybrid' | 'keyword' | 'vector';

export interface SearchResult {
  results: MemoryItem[];
  /** Set when a retrieval path was unavailable, e.g. "keyword-only" when the embedder is unreachable. */
  degraded?: 'keyword-only';
  degraded_reason?: string;
  /**
   * Present when a derived index (Qdrant, Chroma) is configured and the vector leg ran: whether
   * the index answered it, and why the store's own vectors did instead when it did not.
   */
  vector_index?: { provider: string; used: boolean; reason?: string };
  /** With graph.enabled: relations of the entities the query names and their neighbours. */
  relations?: RelationItem[];
}

/** One event of a memory's life, newest first, with the version it produced or closed. */
export interface HistoryItem {
  id: number;
  memory_id: string;
  event: HistoryEvent;
  old_memory: string | null;
  new_memory: string | null;
  actor: string | null;
  reason: string | null;
  created_at: string;
  version: number;
  /** World interval of that version (as it stands now). */
  valid_from: string | null;
  valid_to: string | null;
  /** When engram stopped holding that version (null: it still does). */
  expired_at: string | null;
}

/** One text a memory has had, newest first. */
export interface VersionItem {
  memory_id: string;
  version: number;
  memory: string;
  hash: string;
  valid_from: string;
  valid_to: string | null;
  recorded_at: string;
  expired_at: string | null;
}

export interface UpdateInput {
  /** New text: a new version (the old one stays findable with asOf). */
  text?: string;
  /** Merged into the existing metadata; a key set to null is removed. */
  metadata?: Metadata;
  /** Replace the whole metadata object instead of merging. */
  replaceMetadata?: boolean;
  /** When the change became true in the world (default now); needs a new text. */
  eventTime?: string | number | Date;
  /** Day (YYYY-MM-DD) after which the memory is expired, or null to clear it. */
  expirationDate?: string | null;
  /** Let a flagged or quarantined memory back into recall (metadata.engram_safety.status: released). */
  release?: boolean;
}

/** Which version `get` returns: the current one, or the one true at `asOf` as known at `knownAt`. */
export interface GetOptions {
  asOf?: string | number | Date;
  knownAt?: string | number | Date;
}

export interface JobItem {
  id: string;
  kind: string;
  /** The scope the queued add writes to (null where a payload does not say). */
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  state: 'pending' | 'running' | 'done' | 'dead';
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  last_error: string | null;
  result: unknown;
  created_at: string;
  updated_at: string;
}

export interface ContextResult {
  /** One line per memory, most relevant first. */
  text: string;
  memories: MemoryItem[];
  tokens: number;
  degraded?: 'keyword-only';
}

export interface ChatOptions extends ScopeOptions {
  /** Tokens of remembered facts to put in the prompt (default 800). */
  tokenBudget?: number;
  /** Earlier turns of this scope to include (default 6). */
  historyTurns?: number;
  /** Receives the reply as it is generated. */
  onToken?: (token: string) => void;
  /** How to remember the turn: infer facts (default) or store it raw. */
  remember?: 'infer' | 'raw';
}

export interface ChatResult {
  reply: string;
  /** The memories that were put in front of the model. */
  memories: MemoryItem[];
  /** What storing the turn did (inferred facts, or a pending job). */
  remembered: AddResult;
  usage: { answer: { model: string; inputTokens: number; outputTokens: number; ms: number } };
}
