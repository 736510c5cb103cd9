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
  /** When the conversation happened (world time); defaults to now. ISO 8601 or epoch ms. */
  eventTime?: string | number | Date;
  actorId?: string;
  memoryType?: MemoryType;
  importance?: number;
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
  valid_from: string;
  valid_to: string | null;
  importance: number;
  memory_type: MemoryType;
  categories: string[];
  superseded_by: string | null;
  explain?: ScoreExplanation;
}

export interface ScoreExplanation {
  vector: { rank: number | null; similarity: number | null };
  keyword: { rank: number | null; bm25: number | null };
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
}

export interface AddResult {
  results: AddResultItem[];
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
  /** Include superseded (and, for audits, deleted) memories. Default: active only. */
  states?: MemoryState[];
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
  /** Return what was valid at this instant (ISO 8601 / epoch ms / Date). */
  asOf?: string | number | Date;
  explain?: boolean;
  /**
   * Which retrieval paths run: 'hybrid' (default) fuses vector KNN and BM25; 'keyword' runs BM25 only
   * (no query embedding); 'vector' runs KNN only and ranks on cosine similarity. 'vector' without a
   * reachable embedder degrades to keyword, like hybrid does, and says so in `degraded`.
   */
  mode?: SearchMode;
}

export type SearchMode = 'hybrid' | 'keyword' | 'vector';

export interface SearchResult {
  results: MemoryItem[];
  /** Set when a retrieval path was unavailable, e.g. "keyword-only" when the embedder is unreachable. */
  degraded?: 'keyword-only';
  degraded_reason?: string;
}

export interface HistoryItem {
  id: number;
  memory_id: string;
  event: HistoryEvent;
  old_memory: string | null;
  new_memory: string | null;
  actor: string | null;
  reason: string | null;
  created_at: string;
}

export interface UpdateInput {
  text?: string;
  metadata?: Metadata;
}

export interface JobItem {
  id: string;
  kind: string;
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
