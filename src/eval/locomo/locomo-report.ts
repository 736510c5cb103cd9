/** Averages over the questions of one category (or all of them). */
export interface RetrievalScores {
  questions: number;
  'recall@1': number;
  'recall@5': number;
  'recall@10': number;
  'recall@20': number;
  'hit@1': number;
  'hit@5': number;
  'hit@10': number;
  'hit@20': number;
  /** Share of the gold answer's content words found in the top-10 context. */
  answer_token_recall: number;
  /** Mean o200k tokens of the top-10 context. */
  context_tokens: number;
  /** Mean wall time of one search call, milliseconds (embedding included). */
  search_ms: number;
}

export interface ModeScores extends RetrievalScores {
  by_category: Record<string, RetrievalScores>;
}

export interface SkippedMode {
  skipped: true;
  reason: string;
}

export interface LocomoRetrievalReport {
  benchmark: 'locomo-retrieval';
  dataset: { path: string; sha256: string; conversations: string[]; sessions: number; turns: number };
  embedder: string | null;
  /** Questions scored: categories 1–4 with at least one valid evidence id. */
  questions: number;
  categories: Record<string, string>;
  settings: {
    limit: number;
    questionsPerConversation: number | null;
    memoryText: string;
    weights: Record<string, { relevance: number; recency: number; importance: number }>;
  };
  modes: Record<string, ModeScores | SkippedMode>;
  ingest_ms: number;
  elapsed_ms: number;
  node: string;
  date: string;
}
