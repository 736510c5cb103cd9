import type { QaSettings, Spend } from './qa-checkpoint.js';

/** p50/p95 of a latency, milliseconds; null when nothing was measured. */
export interface Latency {
  p50: number | null;
  p95: number | null;
}

/** Scores over the questions of one category (or all of them). */
export interface QaScores {
  questions: number;
  /** Questions with an answer (the others failed; see errors). */
  answered: number;
  judged_lenient: number;
  judged_strict: number;
  /** Share correct among the judged questions. */
  accuracy_lenient: number | null;
  accuracy_strict: number | null;
  /** Means over answered questions of categories 1–4 (category 5 has no reference wording). */
  f1: number | null;
  bleu1: number | null;
  search_ms: Latency;
  answer_ms: Latency;
  /** Mean tokens of the retrieved context given to the answerer. */
  context_tokens: number | null;
  /** Mean tokens of the whole conversation the question is about. */
  conversation_tokens: number;
  /** context_tokens / conversation_tokens. */
  context_share: number | null;
  /** Questions with at least one unresolved error. */
  errors: number;
}

export interface QaQuestionResult {
  key: string;
  conversation: string;
  category: number;
  question: string;
  gold: string;
  answer: string | null;
  lenient: boolean | null;
  strict: boolean | null;
  lenient_reason: string | null;
  strict_reason: string | null;
  f1: number | null;
  bleu1: number | null;
  context_tokens: number | null;
  search_ms: number | null;
  answer_ms: number | null;
  errors: { stage: string; message: string }[];
}

export interface LocomoQaReport {
  benchmark: 'locomo-qa';
  dataset: { path: string; sha256: string; conversations: string[]; sessions: number; turns: number };
  settings: QaSettings;
  categories: Record<string, string>;
  judge: { model: string; lenient: string; strict: string; adversarial: string };
  overall: QaScores;
  by_category: Record<string, QaScores>;
  spend: {
    ingestion: Spend & { embed_calls: number; ms: number; sessions: number; failed_sessions: number };
    answering: Spend;
    judging: Spend;
  };
  questions: QaQuestionResult[];
  /** Wall time of this invocation (a resumed run counts only its own part). */
  elapsed_ms: number;
  node: string;
  date: string;
}
