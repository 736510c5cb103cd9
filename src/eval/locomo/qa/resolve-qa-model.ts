import type { EngramConfig, EngramConfigInput, LoadConfigOptions } from '../../../config/index.js';
import { loadConfig } from '../../../config/load-config.js';
import { createChatModel } from '../../../providers/registry.js';
import type { ChatModel } from '../../../spec/chat-model.js';
import { MemoryError } from '../../../spec/memory-error.js';

/**
 * The chat model for a LoCoMo role (answerer, judge): a "provider:model" id, or the first
 * configured LLM when none is given. An id that names a configured LLM keeps that entry's
 * settings (base URL, key, context size); any other id resolves like ENGRAM_LLM would.
 */
export function resolveQaModel(
  id: string | undefined,
  config: EngramConfig,
  input: EngramConfigInput,
  options: LoadConfigOptions,
  flag: string,
): ChatModel {
  if (id === undefined) {
    const first = config.llm[0];
    if (!first) {
      throw new MemoryError(
        'llm_not_configured',
        `The LoCoMo QA benchmark needs an LLM: configure one (ENGRAM_LLM, e.g. ollama:llama3.2:3b) or pass ${flag} provider:model. For an LLM-free run use --retrieval-only.`,
      );
    }
    return createChatModel(first);
  }
  const configured = config.llm.find((s) => `${s.provider}:${s.model}` === id);
  if (configured) return createChatModel(configured);
  const settings = loadConfig({ ...input, llm: id }, options).llm[0];
  if (!settings)
    throw new MemoryError('invalid_input', `${flag}: "${id}" names no model; use provider:model.`);
  return createChatModel(settings);
}
