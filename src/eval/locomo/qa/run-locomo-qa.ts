import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngramConfigInput } from '../../../config/index.js';
import { callStructured } from '../../../memory/inference/structured-call.js';
import { UsageMeter } from '../../../memory/inference/usage-meter.js';
import { Memory } from '../../../memory/memory.js';
import {
  extractFactsPrompt,
  reconcileMemoriesPrompt,
  singlePassPrompt,
} from '../../../memory/prompts/index.js';
import type { ChatModel } from '../../../spec/chat-model.js';
import { MemoryError } from '../../../spec/memory-error.js';
import { SqliteStore } from '../../../stores/sqlite/sqlite-store.js';
import { countTokens } from '../../../util/token-count.js';
import { type LocomoConversation, type LocomoSession, loadLocomo } from '../locomo-dataset.js';
import { locomoMemoryText } from '../locomo-memory-text.js';
import { CATEGORY_NAMES } from '../run-locomo-retrieval.js';
import {
  type JudgeKind,
  QaCheckpoint,
  type QaSettings,
  type Spend,
  settingsDifferences,
} from './qa-checkpoint.js';
import {
  ADVERSARIAL_RULE,
  lenientJudgePrompt,
  locomoAnswerPrompt,
  NOT_MENTIONED,
  strictJudgePrompt,
} from './qa-prompts.js';
import type { LocomoQaReport, QaScores } from './qa-report.js';
import { renderQaCharts, renderQaReport } from './render-qa-report.js';
import { type QaTask, questionResults, scoreQuestions, spendOf } from './summarise-qa.js';

export type IngestMode = 'inferred' | 'raw' | 'both';
export const INGEST_MODES: readonly IngestMode[] = ['inferred', 'raw', 'both'];

export interface LocomoQaOptions {
  /** Path of locomo10.json. */
  dataPath: string;
  /** Folder for checkpoint.jsonl, report.json, report.md and the charts. */
  outDir: string;
  /** Continue the run recorded in outDir; its settings must match these. */
  resume?: boolean;
  /** 1-based conversation numbers or sample ids such as "conv-26" (default: all). */
  conversations?: (number | string)[];
  /** At most this many questions per conversation (default: all). */
  limit?: number;
  ingest?: IngestMode;
  /** Also ask category 5, graded by rule as correct when the answer declines. */
  includeAdversarial?: boolean;
  /** Conversations ingested and questions answered at the same time (default 2). */
  concurrency?: number;
  /** Tokens of retrieved context per question (default 1000). */
  tokenBudget?: number;
  /** Engine configuration, as for `new Memory` (LLM chain for ingestion, embedder, search). */
  config?: EngramConfigInput;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** The database to ingest into (default: engram.db in outDir, so a resumed run keeps its memories). */
  dbPath?: string;
  answerModel: ChatModel;
  judgeModel: ChatModel;
  onProgress?: (line: string) => void;
}

const DAY_MS = 86_400_000;
const DEFAULT_TOKEN_BUDGET = 1000;
const QA_CATEGORIES: Record<string, string> = { ...CATEGORY_NAMES, '5': 'adversarial' };
const JUDGES = { lenient: lenientJudgePrompt, strict: strictJudgePrompt } as const;

/**
 * LoCoMo end to end (docs/eval.md): ingest every conversation through `add`, answer each
 * question from `memory.context`, grade it with an LLM judge (lenient and strict) and with
 * token F1 / BLEU-1. Every step is checkpointed in outDir, so an interrupted run resumes.
 */
export async function runLocomoQa(options: LocomoQaOptions): Promise<LocomoQaReport> {
  const started = performance.now();
  const outDir = resolve(options.outDir);
  await mkdir(outDir, { recursive: true });
  const bytes = await readFile(options.dataPath);
  const picked = pickConversations(await loadLocomo(options.dataPath), options.conversations);
  const dbPath = resolve(options.dbPath ?? join(outDir, 'engram.db'));
  const ingest = options.ingest ?? 'inferred';
  const concurrency = Math.max(1, options.concurrency ?? 2);

  const store = new SqliteStore({ path: dbPath });
  const clocks = new Map<string, Date>();
  const memories = new Map(
    picked.map((c) => {
      clocks.set(c.sampleId, new Date());
      const memory = new Memory(
        { ...options.config, dbPath },
        {
          store,
          now: () => clocks.get(c.sampleId) ?? new Date(),
          ...(options.env ? { env: options.env } : {}),
          ...(options.cwd ? { cwd: options.cwd } : {}),
        },
      );
      return [c.sampleId, memory] as const;
    }),
  );
  try {
    const engine = memories.values().next().value?.config;
    if (!engine) throw new MemoryError('invalid_input', 'No conversation was picked.');
    const settings: QaSettings = {
      data_sha256: createHash('sha256').update(bytes).digest('hex'),
      conversations: picked.map((c) => c.sampleId),
      questions_per_conversation: options.limit ?? null,
      include_adversarial: options.includeAdversarial ?? false,
      ingest,
      token_budget: options.tokenBudget ?? DEFAULT_TOKEN_BUDGET,
      db: dbPath,
      models: {
        ingest: ingest === 'raw' ? [] : engine.llm.map((s) => `${s.provider}:${s.model}`),
        extraction_mode: ingest === 'raw' ? 'none' : engine.extraction.mode,
        embedder: engine.embedder ? `${engine.embedder.provider}:${engine.embedder.model}` : null,
        answer: options.answerModel.id,
        judge: options.judgeModel.id,
      },
      prompts: [
        ...ingestionPrompts(ingest, engine.extraction.mode),
        { id: locomoAnswerPrompt.id, version: locomoAnswerPrompt.version, role: 'answer' },
        { id: lenientJudgePrompt.id, version: lenientJudgePrompt.version, role: 'judge, lenient' },
        { id: strictJudgePrompt.id, version: strictJudgePrompt.version, role: 'judge, strict' },
      ],
    };
    const checkpoint = options.resume
      ? await QaCheckpoint.open(outDir)
      : await QaCheckpoint.create(outDir, settings);
    const differences = settingsDifferences(checkpoint.settings!, settings);
    if (differences.length > 0) {
      throw new MemoryError(
        'invalid_input',
        `--resume: this run differs from the one in ${outDir} in ${differences.join(', ')}; rerun with the same settings or start a new --out.`,
        { details: { differences } },
      );
    }

    await pool(picked, concurrency, (conversation) =>
      ingestConversation(memories.get(conversation.sampleId)!, conversation, {
        ingest,
        checkpoint,
        clock: (date) => clocks.set(conversation.sampleId, date),
        onProgress: options.onProgress,
      }),
    );

    const tasks = picked.flatMap((c) => conversationTasks(c, options.limit, settings.include_adversarial));
    const conversationsById = new Map(picked.map((c) => [c.sampleId, c]));
    for (const c of picked) clocks.set(c.sampleId, new Date(Date.parse(lastSessionDate(c)) + DAY_MS));
    const progress = progressReporter(tasks.length, options.onProgress);
    await pool(tasks, concurrency, async (task) => {
      const conversation = conversationsById.get(task.conversation)!;
      const worked = await askQuestion(task, {
        memory: memories.get(task.conversation)!,
        conversation,
        askedAt: clocks.get(task.conversation)!.toISOString(),
        tokenBudget: settings.token_budget,
        answerModel: options.answerModel,
        judgeModel: options.judgeModel,
        checkpoint,
      });
      progress(worked, checkpoint.errorsOf(task.key).length > 0);
    });

    const results = questionResults(tasks, checkpoint);
    const byCategory: Record<string, QaScores> = {};
    for (const category of Object.keys(QA_CATEGORIES)) {
      const subset = results.filter((r) => String(r.category) === category);
      if (subset.length > 0) byCategory[category] = scoreQuestions(subset, tasks);
    }
    const report: LocomoQaReport = {
      benchmark: 'locomo-qa',
      dataset: {
        path: options.dataPath,
        sha256: settings.data_sha256,
        conversations: settings.conversations,
        sessions: picked.reduce((n, c) => n + c.sessions.length, 0),
        turns: picked.reduce((n, c) => n + c.sessions.reduce((t, s) => t + s.turns.length, 0), 0),
      },
      settings,
      categories: settings.include_adversarial ? QA_CATEGORIES : CATEGORY_NAMES,
      judge: {
        model: options.judgeModel.id,
        lenient: `${lenientJudgePrompt.id}@${lenientJudgePrompt.version}: same meaning or topic as the reference counts, vaguer dates in the same period count`,
        strict: `${strictJudgePrompt.id}@${strictJudgePrompt.version}: every key fact must be present and right, dates to the day when the reference gives one`,
        adversarial: ADVERSARIAL_RULE,
      },
      overall: scoreQuestions(results, tasks),
      by_category: byCategory,
      spend: spendOf(checkpoint),
      questions: results,
      elapsed_ms: Math.round(performance.now() - started),
      node: process.version,
      date: new Date().toISOString(),
    };
    await writeReport(outDir, report);
    return report;
  } finally {
    for (const memory of memories.values()) await memory.close();
    await store.close();
  }
}

/** Writes report.json, report.md and the SVG charts into outDir. */
async function writeReport(outDir: string, report: LocomoQaReport): Promise<void> {
  await writeFile(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(join(outDir, 'report.md'), renderQaReport(report));
  for (const [name, svg] of Object.entries(renderQaCharts(report))) await writeFile(join(outDir, name), svg);
}

function ingestionPrompts(ingest: IngestMode, mode: string): QaSettings['prompts'] {
  if (ingest === 'raw') return [];
  const used = mode === 'single-pass' ? [singlePassPrompt] : [extractFactsPrompt, reconcileMemoriesPrompt];
  return used.map((p) => ({ id: p.id, version: p.version, role: 'ingestion' }));
}

interface IngestContext {
  ingest: IngestMode;
  checkpoint: QaCheckpoint;
  clock: (date: Date) => void;
  onProgress: ((line: string) => void) | undefined;
}

/** Adds a conversation session by session, in order, so later sessions reconcile against earlier ones. */
async function ingestConversation(
  memory: Memory,
  conversation: LocomoConversation,
  ctx: IngestContext,
): Promise<void> {
  const userId = conversation.sampleId;
  // A fresh run into an existing --db starts its scope empty; a resumed one keeps what it added.
  if (!ctx.checkpoint.hasSessions(userId)) await memory.deleteAll({ userId });
  for (const session of conversation.sessions) {
    if (ctx.checkpoint.isSessionDone(userId, session.index)) continue;
    ctx.onProgress?.(`ingesting ${userId}: session ${session.index} of ${conversation.sessions.length}`);
    const eventTime = session.date ?? lastSessionDate(conversation);
    ctx.clock(new Date(eventTime));
    const t0 = performance.now();
    const spent = { llm_calls: 0, input_tokens: 0, output_tokens: 0, embed_calls: 0 };
    const errors: string[] = [];
    const add = async (...args: Parameters<Memory['add']>) => {
      try {
        const result = await memory.add(...args);
        spent.llm_calls += result.usage.llmCalls;
        spent.input_tokens += result.usage.inputTokens;
        spent.output_tokens += result.usage.outputTokens;
        spent.embed_calls += result.usage.embedCalls;
        for (const e of result.errors ?? []) errors.push(`${e.code}: ${e.message}`);
      } catch (error) {
        if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
        errors.push(`${error.code}: ${error.message}`);
      }
    };
    if (ctx.ingest !== 'raw') await addInferred(add, memory, conversation, session, eventTime);
    if (ctx.ingest !== 'inferred') await addRaw(add, conversation, session, eventTime);
    await ctx.checkpoint.record({
      type: 'session',
      conversation: userId,
      session: session.index,
      usage: { ...spent, ms: Math.round(performance.now() - t0) },
      errors,
    });
  }
}

type AddFn = (...args: Parameters<Memory['add']>) => Promise<void>;

/** Both speakers' turns of one session through the inferred add, in chunks the engine accepts. */
async function addInferred(
  add: AddFn,
  memory: Memory,
  conversation: LocomoConversation,
  session: LocomoSession,
  eventTime: string,
): Promise<void> {
  const messages = session.turns.map((turn) => ({
    role: 'user',
    name: turn.speaker,
    content: turn.caption ? `${turn.text.trim()} [shares a photo of ${turn.caption}]` : turn.text.trim(),
  }));
  const size = memory.config.limits.maxMessages;
  for (let i = 0; i < messages.length; i += size) {
    await add(messages.slice(i, i + size), {
      userId: conversation.sampleId,
      eventTime,
      infer: true,
      metadata: { session: session.index, date: session.dateText },
    });
  }
}

/** Every turn as its own memory (infer: false), the same text as the retrieval benchmark stores. */
async function addRaw(
  add: AddFn,
  conversation: LocomoConversation,
  session: LocomoSession,
  eventTime: string,
): Promise<void> {
  for (const [i, turn] of session.turns.entries()) {
    await add([{ role: 'user', name: turn.speaker, content: locomoMemoryText(turn, session.turns[i - 1]) }], {
      userId: conversation.sampleId,
      infer: false,
      eventTime,
      metadata: { dia_id: turn.diaId, session: session.index, speaker: turn.speaker, date: session.dateText },
    });
  }
}

function conversationTasks(
  conversation: LocomoConversation,
  limit: number | undefined,
  includeAdversarial: boolean,
): QaTask[] {
  const conversationTokens = countTokens(conversationText(conversation));
  const tasks = conversation.questions
    .map((q, index) => ({ q, index }))
    .filter(({ q }) => (q.category >= 1 && q.category <= 4) || (includeAdversarial && q.category === 5))
    .map(({ q, index }) => ({
      key: `${conversation.sampleId}:q${index}`,
      conversation: conversation.sampleId,
      category: q.category,
      question: q.question,
      // Category 5 stores a misleading answer; the right one is that the conversation never says.
      gold: q.category === 5 ? NOT_MENTIONED : q.answer,
      conversationTokens,
    }));
  return limit === undefined ? tasks : tasks.slice(0, limit);
}

/** The whole conversation as one text, the baseline "put everything in the prompt" would send. */
function conversationText(conversation: LocomoConversation): string {
  return conversation.sessions
    .map((s) => [s.dateText, ...s.turns.map((t) => `${t.speaker}: ${t.text}`)].join('\n'))
    .join('\n\n');
}

interface AskContext {
  memory: Memory;
  conversation: LocomoConversation;
  askedAt: string;
  tokenBudget: number;
  answerModel: ChatModel;
  judgeModel: ChatModel;
  checkpoint: QaCheckpoint;
}

/**
 * Retrieves, answers and judges one question, skipping what the checkpoint already holds.
 * A failed step is recorded as an error for this question and stops its later steps; the run
 * goes on. Returns whether any work was done (for the ETA).
 */
async function askQuestion(task: QaTask, ctx: AskContext): Promise<boolean> {
  let worked = false;
  let answer = ctx.checkpoint.answers.get(task.key);
  if (!answer) {
    worked = true;
    try {
      const t0 = performance.now();
      const context = await ctx.memory.context(task.question, {
        userId: task.conversation,
        tokenBudget: ctx.tokenBudget,
      });
      const t1 = performance.now();
      const input = {
        speakers: ctx.conversation.speakers,
        askedAt: ctx.askedAt,
        context: context.text,
        question: task.question,
      };
      const reply = await ctx.answerModel.complete({
        messages: [
          { role: 'system', content: locomoAnswerPrompt.system },
          { role: 'user', content: locomoAnswerPrompt.user(input) },
        ],
        temperature: 0,
        maxOutputTokens: 200,
      });
      const t2 = performance.now();
      answer = {
        type: 'answer',
        key: task.key,
        answer: reply.text.trim(),
        context_tokens: context.tokens,
        memories: context.memories.length,
        search_ms: round(t1 - t0),
        answer_ms: round(t2 - t1),
        usage: {
          llm_calls: 1,
          input_tokens: reply.usage.inputTokens,
          output_tokens: reply.usage.outputTokens,
        },
      };
      await ctx.checkpoint.record(answer);
    } catch (error) {
      await recordFailure(ctx.checkpoint, task.key, 'answer', error);
      return worked;
    }
  }
  if (task.category === 5) return worked; // graded by rule (isAbstention), no judge call
  for (const kind of Object.keys(JUDGES) as JudgeKind[]) {
    if (ctx.checkpoint.judgement(task.key, kind)) continue;
    worked = true;
    const meter = new UsageMeter();
    try {
      const verdict = await callStructured(
        [ctx.judgeModel],
        JUDGES[kind],
        { question: task.question, gold: task.gold, answer: answer.answer },
        meter,
      );
      await ctx.checkpoint.record({
        type: 'judge',
        key: task.key,
        kind,
        correct: verdict.correct,
        reason: verdict.reason,
        usage: spendOfMeter(meter),
      });
    } catch (error) {
      await recordFailure(ctx.checkpoint, task.key, `judge-${kind}`, error);
    }
  }
  return worked;
}

/** Upstream and output failures belong to the question; anything else (a bug, a broken store) stops the run. */
async function recordFailure(
  checkpoint: QaCheckpoint,
  key: string,
  stage: 'answer' | `judge-${JudgeKind}`,
  error: unknown,
): Promise<void> {
  if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
  await checkpoint.record({ type: 'error', key, stage, message: `${error.code}: ${error.message}` });
}

function spendOfMeter(meter: UsageMeter): Spend {
  return { llm_calls: meter.llmCalls, input_tokens: meter.inputTokens, output_tokens: meter.outputTokens };
}

/** "questions 120/1540 (7.8%), 2 with errors, ETA 14m05s": the rate counts only questions that did work. */
function progressReporter(total: number, onProgress: ((line: string) => void) | undefined) {
  const started = performance.now();
  let done = 0;
  let worked = 0;
  let failed = 0;
  let lastPrinted = 0;
  return (didWork: boolean, hasError: boolean) => {
    done++;
    if (didWork) worked++;
    if (hasError) failed++;
    const now = performance.now();
    if (!onProgress || (now - lastPrinted < 1000 && done < total)) return;
    lastPrinted = now;
    const perQuestion = worked === 0 ? 0 : (now - started) / worked;
    const eta = formatDuration(perQuestion * (total - done));
    const errors = failed > 0 ? `, ${failed} with errors` : '';
    onProgress(`questions ${done}/${total} (${((100 * done) / total).toFixed(1)}%)${errors}, ETA ${eta}`);
  };
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m${String(seconds % 60).padStart(2, '0')}s` : `${seconds}s`;
}

/** Runs `work` on every item with at most `limit` running at once. */
async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function pickConversations(
  all: LocomoConversation[],
  picks: (number | string)[] | undefined,
): LocomoConversation[] {
  if (!picks || picks.length === 0) return all;
  return picks.map((pick) => {
    const conversation = typeof pick === 'number' ? all[pick - 1] : all.find((c) => c.sampleId === pick);
    if (!conversation) {
      throw new MemoryError(
        'invalid_input',
        `There is no conversation ${pick}; the file has 1 to ${all.length} (${all[0]?.sampleId ?? ''} …).`,
      );
    }
    return conversation;
  });
}

function lastSessionDate(conversation: LocomoConversation): string {
  const dates = conversation.sessions.map((s) => s.date).filter((d): d is string => d !== null);
  return dates.sort().at(-1) ?? new Date(0).toISOString();
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
