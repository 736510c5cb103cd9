import { bleu1, isAbstention, percentile, tokenF1 } from './answer-metrics.js';
import type { QaCheckpoint, Spend } from './qa-checkpoint.js';
import type { LocomoQaReport, QaQuestionResult, QaScores } from './qa-report.js';

/** One scored question of the run, before its outcome is known. */
export interface QaTask {
  key: string;
  conversation: string;
  category: number;
  question: string;
  gold: string;
  /** Tokens of the whole conversation the question is about. */
  conversationTokens: number;
}

/** Joins the tasks with what the checkpoint recorded for them. */
export function questionResults(tasks: readonly QaTask[], checkpoint: QaCheckpoint): QaQuestionResult[] {
  return tasks.map((task) => {
    const answer = checkpoint.answers.get(task.key);
    const adversarial = task.category === 5;
    const lenient = checkpoint.judgement(task.key, 'lenient');
    const strict = checkpoint.judgement(task.key, 'strict');
    const byRule = answer && adversarial ? isAbstention(answer.answer) : null;
    const lexical = answer && !adversarial;
    return {
      key: task.key,
      conversation: task.conversation,
      category: task.category,
      question: task.question,
      gold: task.gold,
      answer: answer?.answer ?? null,
      lenient: adversarial ? byRule : (lenient?.correct ?? null),
      strict: adversarial ? byRule : (strict?.correct ?? null),
      lenient_reason: adversarial ? null : (lenient?.reason ?? null),
      strict_reason: adversarial ? null : (strict?.reason ?? null),
      f1: lexical ? round(tokenF1(answer.answer, task.gold)) : null,
      bleu1: lexical ? round(bleu1(answer.answer, task.gold)) : null,
      context_tokens: answer?.context_tokens ?? null,
      search_ms: answer?.search_ms ?? null,
      answer_ms: answer?.answer_ms ?? null,
      errors: checkpoint.errorsOf(task.key).map((e) => ({ stage: e.stage, message: e.message })),
    };
  });
}

export function scoreQuestions(results: readonly QaQuestionResult[], tasks: readonly QaTask[]): QaScores {
  const tokensOf = new Map(tasks.map((t) => [t.key, t.conversationTokens]));
  const numbers = (pick: (r: QaQuestionResult) => number | null) =>
    results.map(pick).filter((v): v is number => v !== null);
  const verdicts = (pick: (r: QaQuestionResult) => boolean | null) =>
    results.map(pick).filter((v): v is boolean => v !== null);
  const lenient = verdicts((r) => r.lenient);
  const strict = verdicts((r) => r.strict);
  const contextTokens = mean(numbers((r) => r.context_tokens));
  const conversationTokens = mean(results.map((r) => tokensOf.get(r.key) ?? 0)) ?? 0;
  const latency = (values: number[]) => ({
    p50: roundMs(percentile(values, 50)),
    p95: roundMs(percentile(values, 95)),
  });
  return {
    questions: results.length,
    answered: results.filter((r) => r.answer !== null).length,
    judged_lenient: lenient.length,
    judged_strict: strict.length,
    accuracy_lenient: share(lenient),
    accuracy_strict: share(strict),
    f1: round(mean(numbers((r) => r.f1))),
    bleu1: round(mean(numbers((r) => r.bleu1))),
    search_ms: latency(numbers((r) => r.search_ms)),
    answer_ms: latency(numbers((r) => r.answer_ms)),
    context_tokens: contextTokens === null ? null : Math.round(contextTokens),
    conversation_tokens: Math.round(conversationTokens),
    context_share:
      contextTokens === null || conversationTokens === 0 ? null : round(contextTokens / conversationTokens),
    errors: results.filter((r) => r.errors.length > 0).length,
  };
}

/** LLM work recorded in the checkpoint, by phase. */
export function spendOf(checkpoint: QaCheckpoint): LocomoQaReport['spend'] {
  const sessions = [...checkpoint.sessions.values()];
  const sum = (items: Spend[]): Spend => ({
    llm_calls: items.reduce((n, s) => n + s.llm_calls, 0),
    input_tokens: items.reduce((n, s) => n + s.input_tokens, 0),
    output_tokens: items.reduce((n, s) => n + s.output_tokens, 0),
  });
  return {
    ingestion: {
      ...sum(sessions.map((s) => s.usage)),
      embed_calls: sessions.reduce((n, s) => n + s.usage.embed_calls, 0),
      ms: Math.round(sessions.reduce((n, s) => n + s.usage.ms, 0)),
      sessions: sessions.length,
      failed_sessions: sessions.filter((s) => s.errors.length > 0).length,
    },
    answering: sum([...checkpoint.answers.values()].map((a) => a.usage)),
    judging: sum([...checkpoint.judgements.values()].map((j) => j.usage)),
  };
}

function share(verdicts: boolean[]): number | null {
  return verdicts.length === 0 ? null : round(verdicts.filter(Boolean).length / verdicts.length);
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

function roundMs(x: number | null): number | null {
  return x === null ? null : Math.round(x * 10) / 10;
}
