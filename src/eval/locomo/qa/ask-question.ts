import { callStructured } from '../../../memory/inference/structured-call.js';
import { UsageMeter } from '../../../memory/inference/usage-meter.js';
import type { Memory } from '../../../memory/memory.js';
import type { ChatModel } from '../../../spec/chat-model.js';
import { MemoryError } from '../../../spec/memory-error.js';
import type { LocomoConversation } from '../locomo-dataset.js';
import type { JudgeKind, QaCheckpoint, Spend } from './qa-checkpoint.js';
import { lenientJudgePrompt, locomoAnswerPrompt, strictJudgePrompt } from './qa-prompts.js';
import type { QaTask } from './summarise-qa.js';

const JUDGES = { lenient: lenientJudgePrompt, strict: strictJudgePrompt } as const;

export interface AskContext {
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
export async function askQuestion(task: QaTask, ctx: AskContext): Promise<boolean> {
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

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
