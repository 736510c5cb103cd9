import type { ChatModel } from '../../spec/chat-model.js';
import { MemoryError } from '../../spec/memory-error.js';

/** One model of the chain that failed upstream, and how. */
export interface ModelFailure {
  model: string;
  error: MemoryError;
}

export interface FallbackOptions {
  /** What the chain was asked to do, for the final error: "No LLM could <what>: …". */
  what: string;
  /** Builds the error thrown when every model failed (default: one llm_unreachable listing them). */
  exhausted?: (failures: readonly ModelFailure[]) => MemoryError;
}

/**
 * Tries each model of the chain in turn. Only an upstream MemoryError (unreachable, rate-limited,
 * unusable output) moves on to the next model; anything else is a bug or a user error and is
 * thrown at once. When every model failed, one error lists every failure.
 */
export async function withFallback<T>(
  chain: readonly ChatModel[],
  attempt: (model: ChatModel) => Promise<T>,
  options: FallbackOptions,
): Promise<T> {
  const failures: ModelFailure[] = [];
  for (const model of chain) {
    try {
      return await attempt(model);
    } catch (error) {
      if (!(error instanceof MemoryError) || error.category !== 'upstream') throw error;
      failures.push({ model: model.id, error });
    }
  }
  if (options.exhausted) throw options.exhausted(failures);
  throw new MemoryError('llm_unreachable', `No LLM could ${options.what}: ${listFailures(failures)}`, {
    isRetryable: true,
  });
}

/** "model-a: message | model-b: message" */
export function listFailures(failures: readonly ModelFailure[]): string {
  return failures.map((f) => `${f.model}: ${f.error.message}`).join(' | ');
}
