import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Memory } from '../../memory/memory.js';
import type { Embedder } from '../../spec/embedder.js';
import type { Store } from '../../spec/store.js';
import { SqliteStore } from '../../stores/sqlite/sqlite-store.js';
import { countTokens } from '../../util/token-count.js';
import { type LocomoConversation, type LocomoQuestion, loadLocomo } from './locomo-dataset.js';
import { locomoMemoryText, MEMORY_TEXT_FORMAT } from './locomo-memory-text.js';
import { EVAL_MODES, type EvalMode } from './locomo-modes.js';
import type { LocomoRetrievalReport, ModeScores, RetrievalScores, SkippedMode } from './locomo-report.js';
import { resolveEvalEmbedder } from './resolve-eval-embedder.js';
import { answerTokenRecall, evidenceHit, evidenceRecall, RECALL_KS } from './retrieval-metrics.js';

export interface LocomoRetrievalOptions {
  /** Path of locomo10.json. */
  dataPath: string;
  /** 1-based conversation numbers to run (default: all). */
  conversations?: number[];
  /** At most this many scored questions per conversation (default: all). */
  limit?: number;
  /** Mode names from EVAL_MODES (default: all). */
  modes?: string[];
  /** Use this embedder (null: none) instead of resolving the configured one. */
  embedder?: Embedder | null;
  /** Called with a line of progress, e.g. to print to stderr. */
  onProgress?: (line: string) => void;
  /**
   * A scratch store to run in (emptied first, for every tenant): the configured backend, so the
   * benchmark measures it (PostgreSQL included). Default: an in-memory SQLite store.
   */
  store?: Store;
}

export const CATEGORY_NAMES: Record<string, string> = {
  '1': 'multi-hop',
  '2': 'temporal',
  '3': 'open-domain',
  '4': 'single-hop',
};
const SEARCH_LIMIT = 20;
const CONTEXT_K = 10;
const DAY_MS = 86_400_000;

interface QuestionOutcome {
  category: number;
  recall: number[];
  hit: number[];
  answerRecall: number | null;
  contextTokens: number;
  ms: number;
}

/**
 * Retrieval-only LoCoMo: stores every turn as a memory (infer: false), asks each question of
 * categories 1–4 and scores whether the evidence turns come back. No LLM is involved. docs/eval.md.
 */
export async function runLocomoRetrieval(options: LocomoRetrievalOptions): Promise<LocomoRetrievalReport> {
  const started = performance.now();
  const bytes = await readFile(options.dataPath);
  const all = await loadLocomo(options.dataPath);
  const picked = pickConversations(all, options.conversations);
  const modes = pickModes(options.modes);
  const resolved =
    options.embedder === undefined
      ? await resolveEvalEmbedder()
      : options.embedder === null
        ? { embedder: null, reason: 'no embedder was given' }
        : { embedder: options.embedder, reason: null };
  const embedder = resolved.embedder;
  const needsVectors = modes.some((m) => m.search !== 'keyword');

  const store = options.store ?? new SqliteStore({ path: ':memory:' });
  if (options.store) {
    await store.init();
    await store.reset(null);
  }
  let now = new Date();
  const deps = { store, now: () => now };
  const writer = new Memory(
    { dbPath: ':memory:', llm: null },
    { ...deps, embedder: needsVectors ? embedder : null },
  );
  const ingestStarted = performance.now();
  for (const [i, conversation] of picked.entries()) {
    options.onProgress?.(`ingesting ${conversation.sampleId} (${i + 1}/${picked.length})`);
    await ingest(writer, conversation);
  }
  const ingestMs = performance.now() - ingestStarted;

  const questionsOf = new Map(picked.map((c) => [c, scoredQuestions(c, options.limit)]));
  const report: LocomoRetrievalReport['modes'] = {};
  for (const mode of modes) {
    if (mode.search !== 'keyword' && !embedder) {
      report[mode.name] = { skipped: true, reason: resolved.reason ?? 'no embedder' } satisfies SkippedMode;
      continue;
    }
    options.onProgress?.(`searching: ${mode.name}`);
    const memory = new Memory(
      { dbPath: ':memory:', llm: null, search: { weights: mode.weights } },
      { ...deps, embedder: mode.search === 'keyword' ? null : embedder },
    );
    const outcomes: QuestionOutcome[] = [];
    for (const conversation of picked) {
      // Questions are asked the day after the last session, as a user of the memory would.
      now = new Date(Date.parse(lastSessionDate(conversation)) + DAY_MS);
      for (const q of questionsOf.get(conversation) ?? [])
        outcomes.push(await ask(memory, conversation, q, mode));
    }
    await memory.close();
    report[mode.name] = summariseMode(outcomes);
  }
  await writer.close();
  if (!options.store) await store.close();

  const questionCount = [...questionsOf.values()].reduce((n, qs) => n + qs.length, 0);
  return {
    benchmark: 'locomo-retrieval',
    dataset: {
      path: options.dataPath,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      conversations: picked.map((c) => c.sampleId),
      sessions: picked.reduce((n, c) => n + c.sessions.length, 0),
      turns: picked.reduce((n, c) => n + c.sessions.reduce((t, s) => t + s.turns.length, 0), 0),
    },
    embedder: embedder?.id ?? null,
    questions: questionCount,
    categories: CATEGORY_NAMES,
    settings: {
      limit: SEARCH_LIMIT,
      questionsPerConversation: options.limit ?? null,
      memoryText: MEMORY_TEXT_FORMAT,
      weights: Object.fromEntries(modes.map((m) => [m.name, m.weights])),
    },
    modes: report,
    ingest_ms: Math.round(ingestMs),
    elapsed_ms: Math.round(performance.now() - started),
    node: process.version,
    date: new Date().toISOString(),
  };
}

async function ingest(memory: Memory, conversation: LocomoConversation): Promise<void> {
  for (const session of conversation.sessions) {
    const eventTime = session.date ?? lastSessionDate(conversation);
    for (const [i, turn] of session.turns.entries()) {
      const content = locomoMemoryText(turn, session.turns[i - 1]);
      await memory.add([{ role: 'user', name: turn.speaker, content }], {
        userId: conversation.sampleId,
        infer: false,
        eventTime,
        metadata: {
          dia_id: turn.diaId,
          session: session.index,
          speaker: turn.speaker,
          date: session.dateText,
        },
      });
    }
  }
}

async function ask(
  memory: Memory,
  conversation: LocomoConversation,
  q: LocomoQuestion,
  mode: EvalMode,
): Promise<QuestionOutcome> {
  const t0 = performance.now();
  const { results } = await memory.search(q.question, {
    userId: conversation.sampleId,
    limit: SEARCH_LIMIT,
    mode: mode.search,
  });
  const ms = performance.now() - t0;
  const retrieved = results.map((r) => (typeof r.metadata.dia_id === 'string' ? [r.metadata.dia_id] : []));
  const context = results
    .slice(0, CONTEXT_K)
    .map((r) => r.memory)
    .join('\n');
  return {
    category: q.category,
    recall: RECALL_KS.map((k) => evidenceRecall(retrieved, q.evidence, k)),
    hit: RECALL_KS.map((k) => evidenceHit(retrieved, q.evidence, k)),
    answerRecall: answerTokenRecall(q.answer, context),
    contextTokens: countTokens(context),
    ms,
  };
}

function scoredQuestions(conversation: LocomoConversation, limit: number | undefined): LocomoQuestion[] {
  const scored = conversation.questions.filter(
    (q) => q.category >= 1 && q.category <= 4 && q.evidence.length > 0,
  );
  return limit === undefined ? scored : scored.slice(0, limit);
}

function summariseMode(outcomes: QuestionOutcome[]): ModeScores {
  const byCategory: Record<string, RetrievalScores> = {};
  for (const category of Object.keys(CATEGORY_NAMES)) {
    const subset = outcomes.filter((o) => String(o.category) === category);
    if (subset.length > 0) byCategory[category] = summarise(subset);
  }
  return { ...summarise(outcomes), by_category: byCategory };
}

function summarise(outcomes: QuestionOutcome[]): RetrievalScores {
  const mean = (values: number[]): number =>
    values.length === 0 ? 0 : round(values.reduce((a, b) => a + b, 0) / values.length);
  const at = (pick: (o: QuestionOutcome) => number[], i: number) =>
    mean(outcomes.map((o) => pick(o)[i] ?? 0));
  const answers = outcomes.map((o) => o.answerRecall).filter((v): v is number => v !== null);
  return {
    questions: outcomes.length,
    'recall@1': at((o) => o.recall, 0),
    'recall@5': at((o) => o.recall, 1),
    'recall@10': at((o) => o.recall, 2),
    'recall@20': at((o) => o.recall, 3),
    'hit@1': at((o) => o.hit, 0),
    'hit@5': at((o) => o.hit, 1),
    'hit@10': at((o) => o.hit, 2),
    'hit@20': at((o) => o.hit, 3),
    answer_token_recall: mean(answers),
    context_tokens: Math.round(mean(outcomes.map((o) => o.contextTokens))),
    search_ms: mean(outcomes.map((o) => o.ms)),
  };
}

function pickConversations(all: LocomoConversation[], numbers: number[] | undefined): LocomoConversation[] {
  if (!numbers || numbers.length === 0) return all;
  return numbers.map((n) => {
    const conversation = all[n - 1];
    if (!conversation) throw new Error(`There is no conversation ${n}; the file has 1 to ${all.length}.`);
    return conversation;
  });
}

function pickModes(names: string[] | undefined): EvalMode[] {
  if (!names || names.length === 0) return [...EVAL_MODES];
  return names.map((name) => {
    const mode = EVAL_MODES.find((m) => m.name === name);
    if (!mode)
      throw new Error(`Unknown mode "${name}"; pick from ${EVAL_MODES.map((m) => m.name).join(', ')}.`);
    return mode;
  });
}

function lastSessionDate(conversation: LocomoConversation): string {
  const dates = conversation.sessions.map((s) => s.date).filter((d): d is string => d !== null);
  return dates.sort().at(-1) ?? new Date(0).toISOString();
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
