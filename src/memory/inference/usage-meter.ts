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
  readonly #parent: UsageMeter | null;
  readonly #parts = new Map<string, UsageMeter>();

  constructor(parent: UsageMeter | null = null) {
    this.#parent = parent;
  }

  recordChat(usage: ChatUsage): void {
    this.llmCalls++;
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    if (!usage.reported) this.tokensReported = false;
    this.#parent?.recordChat(usage);
  }

  /**
   * A meter for one part of the work (the graph): what it records counts in this meter too, and
   * `toUsage` reports the part's share under its name. Embedding calls are added with `addEmbedCalls`.
   */
  part(name: string): UsageMeter {
    let part = this.#parts.get(name);
    if (!part) {
      part = new UsageMeter(this);
      this.#parts.set(name, part);
    }
    return part;
  }

  /**
   * Attributes tokens of a call already counted by the parent (the graph's part of the single-pass
   * call): they count in this part only, as estimated.
   */
  attribute(inputTokens: number, outputTokens: number): void {
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
    this.tokensReported = false;
  }

  addEmbedCalls(n: number): void {
    this.embedCalls += n;
    this.#parent?.addEmbedCalls(n);
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
    const usage: Usage = {
      llmCalls: this.llmCalls,
      inputTokens: this.inputTokens,
      outputTokens: this.outputTokens,
      embedCalls: this.embedCalls,
      ms: { ...this.#ms, total: round(performance.now() - this.#started) },
    };
    for (const [name, part] of this.#parts) {
      usage.parts ??= {};
      usage.parts[name] = {
        llmCalls: part.llmCalls,
        inputTokens: part.inputTokens,
        outputTokens: part.outputTokens,
        embedCalls: part.embedCalls,
      };
    }
    return usage;
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
