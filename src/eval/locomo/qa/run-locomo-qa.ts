import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngramConfigInput } from '../../../config/index.js';
import { Memory } from '../../../memory/memory.js';
import type { ChatModel } from '../../../spec/chat-model.js';
import { MemoryError } from '../../../spec/memory-error.js';
import { SqliteStore } from '../../../stores/sqlite/sqlite-store.js';
import { loadLocomo } from '../locomo-dataset.js';
import { CATEGORY_NAMES } from '../run-locomo-retrieval.js';
import { askQuestion } from './ask-question.js';
import { conversationTasks } from './conversation-tasks.js';
import { type IngestMode, ingestConversation, ingestionPrompts } from './ingest-conversation.js';
import { lastSessionDate, pickConversations } from './pick-conversations.js';
import { pool } from './pool.js';
import { progressReporter } from './progress-reporter.js';
import { QaCheckpoint, type QaSettings, settingsDifferences } from './qa-checkpoint.js';
import { ADVERSARIAL_RULE, lenientJudgePrompt, locomoAnswerPrompt, strictJudgePrompt } from './qa-prompts.js';
import type { LocomoQaReport, QaScores } from './qa-report.js';
import { questionResults, scoreQuestions, spendOf } from './summarise-qa.js';
import { writeQaReport } from './write-qa-report.js';

export { INGEST_MODES, type IngestMode } from './ingest-conversation.js';

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
    await writeQaReport(outDir, report);
    return report;
  } finally {
    for (const memory of memories.values()) await memory.close();
    await store.close();
  }
}
