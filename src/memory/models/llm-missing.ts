import { MemoryError } from '../../spec/memory-error.js';

/** The error for an inferred add or a chat turn when no LLM is configured; it says how to fix it. */
export function llmMissing(): MemoryError {
  return new MemoryError(
    'llm_not_configured',
    'An add infers facts with an LLM by default, and none is configured. Configure one (config llm, e.g. "ollama:llama3.2:3b", or ENGRAM_LLM / OLLAMA_MODEL / OPENAI_API_KEY), or add with infer: false to store the messages as they are.',
    { hint: 'no_infer' },
  );
}
