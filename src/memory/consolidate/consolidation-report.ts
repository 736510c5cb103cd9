/** One memory as a report shows it. */
export interface ReportedMemory {
  id: string;
  text: string;
}

/** A pair consolidation looked at, and what decided it. */
export interface ConsolidationPair {
  a: ReportedMemory;
  b: ReportedMemory;
  /** Cosine similarity of the current texts' vectors; null without an embedder. */
  similarity: number | null;
  /**
   * 'text': equal normalised text; 'vector': cosine ≥ sameAbove; 'llm': the model judged a pair in
   * [askAbove, sameAbove); 'group': in that band but already joined through surer pairs (not asked);
   * 'none': in that band with no LLM configured (left alone).
   */
  decidedBy: 'text' | 'vector' | 'llm' | 'group' | 'none';
  /** null when nothing decided (decidedBy 'none'). */
  same: boolean | null;
}

/** A group of duplicates: the memory that stays active and those it supersedes. */
export interface ConsolidationMerge {
  survivor: ReportedMemory;
  merged: (ReportedMemory & { reason: string })[];
}

export interface ConsolidationReport {
  dryRun: boolean;
  /** Active memories compared (at most `consolidation.maxMemories`, the newest of the scope). */
  compared: number;
  /** Active memories of the scope that were not compared (beyond maxMemories). */
  notCompared: number;
  /** Groups of duplicates found (each becomes one memory). */
  groups: number;
  /** Memories superseded by their group's survivor (in a dry run: that would be). */
  merged: number;
  /** Compared memories that stay active: compared − merged. */
  kept: number;
  llmCalls: number;
  tokens: { input: number; output: number };
  embedCalls: number;
  /** Pairs in the ask band left alone because no LLM is configured. */
  undecided: number;
  pairs: ConsolidationPair[];
  merges: ConsolidationMerge[];
  /** What limited the run, in words (no embedder, no LLM, memories not compared, groups skipped). */
  notes: string[];
}
