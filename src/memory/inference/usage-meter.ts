import type { ChatUsage } from '../../spec/chat-model.js';
import type { Usage } from '../api-types.js';

/** Counts what one operation spends: LLM calls and tokens, embedding calls, time per stage. */
export class UsageMeter {
  llmCalls = 0;
  inputTokens = 0;
  outputTokens = 0;
  embedCalls = 0;
  /** true while every token count came from the provider (false once one was estimated). */
  tokensReported = true;
  readonly #ms: Record<string, number> = {};
  readonly #started = performance.now();

  recordChat(usage: ChatUsage): void {
    this.llmCalls++;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    if (!usage.reported) this.tokensReported = false;
  }

  /** Times one stage; stages that run several times add up. */
  async stage<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await fn();
    } finally {
      this.#ms[name] = round((this.#ms[name] ?? 0) + performance.now() - start);
    }
  }

  toUsage(): Usage {
    return {
      llmCalls: this.llmCalls,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      embedCalls: this.embedCalls,
      ms: { ...this.#ms, total: round(performance.now() - this.#started) },
    };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
