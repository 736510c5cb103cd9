import { MemoryError } from '../spec/memory-error.js';

export interface ModelId {
  provider: string;
  model: string;
}

/**
 * "ollama:llama3.2:3b" → { provider: "ollama", model: "llama3.2:3b" }. Splits at the FIRST colon because
 * model names carry their own (Ollama tags), provider names never do.
 */
export function parseModelId(id: string): ModelId {
  const colon = id.indexOf(':');
  const provider = colon < 0 ? '' : id.slice(0, colon).trim();
  const model = colon < 0 ? '' : id.slice(colon + 1).trim();
  if (provider === '' || model === '') {
    throw new MemoryError(
      'invalid_config',
      `Model id "${id}" must look like "<provider>:<model>", e.g. "ollama:llama3.2:3b" or "openai:gpt-4o-mini".`,
    );
  }
  return { provider: provider.toLowerCase(), model };
}
