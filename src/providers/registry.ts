import type { ChatModel } from '../spec/chat-model.js';
import type { Embedder } from '../spec/embedder.js';
import { MemoryError } from '../spec/memory-error.js';
import type { ProviderSettings } from '../spec/provider-settings.js';
import { AnthropicChatModel } from './anthropic/anthropic-chat-model.js';
import { ANTHROPIC_DEFAULT_BASE_URL } from './anthropic/anthropic-target.js';
import { Model2VecEmbedder } from './model2vec/model2vec-embedder.js';
import { OllamaChatModel } from './ollama/ollama-chat-model.js';
import { OllamaEmbedder } from './ollama/ollama-embedder.js';
import { OLLAMA_DEFAULT_BASE_URL } from './ollama/ollama-target.js';
import { OpenAIChatModel } from './openai/openai-chat-model.js';
import { OpenAIEmbedder } from './openai/openai-embedder.js';
import { OPENAI_DEFAULT_BASE_URL } from './openai/openai-target.js';
import type { ProviderDeps } from './provider-deps.js';

export interface ProviderDefaults {
  /** Shown in messages ("Groq"). */
  label: string;
  baseUrl?: string;
  /** Where the API key is looked up when settings.apiKey is absent. */
  apiKeyEnvVar?: string;
  /** Where the base URL is looked up when settings.baseUrl is absent. */
  baseUrlEnvVar?: string;
  /** Refuse to build without a key (hosted services); local servers usually need none. */
  requireApiKey?: boolean;
}

export type ProviderFactory<T> = (
  settings: ProviderSettings,
  deps: ProviderDeps,
  defaults: ProviderDefaults,
  name: string,
) => T;

export interface ProviderEntry {
  /** Absent when the backend has no embedding models. */
  embedder?: ProviderFactory<Embedder>;
  /** Absent when the backend has no chat models. */
  chat?: ProviderFactory<ChatModel>;
  defaults: ProviderDefaults;
}

const openAICompatible = (
  defaults: ProviderDefaults,
): Pick<ProviderEntry, 'embedder' | 'chat'> & { defaults: ProviderDefaults } => ({
  embedder: (settings, deps, d, name) => new OpenAIEmbedder(settings, deps, compatOptions(d, name)),
  chat: (settings, deps, d, name) => new OpenAIChatModel(settings, deps, compatOptions(d, name)),
  defaults,
});

function compatOptions(defaults: ProviderDefaults, name: string) {
  return {
    name,
    label: defaults.label,
    defaultBaseUrl: defaults.baseUrl,
    apiKeyEnvVar: defaults.apiKeyEnvVar,
    baseUrlEnvVar: defaults.baseUrlEnvVar,
    requireApiKey: defaults.requireApiKey,
  };
}

// Adding a backend is one entry here (or a registerProvider call), never a new branch in a switch.
const registry = new Map<string, ProviderEntry>([
  [
    'ollama',
    {
      embedder: (settings, deps) => new OllamaEmbedder(settings, deps),
      chat: (settings, deps) => new OllamaChatModel(settings, deps),
      defaults: { label: 'Ollama', baseUrl: OLLAMA_DEFAULT_BASE_URL, baseUrlEnvVar: 'OLLAMA_BASE_URL' },
    },
  ],
  [
    'openai',
    openAICompatible({
      label: 'OpenAI',
      baseUrl: OPENAI_DEFAULT_BASE_URL,
      apiKeyEnvVar: 'OPENAI_API_KEY',
      baseUrlEnvVar: 'OPENAI_BASE_URL',
    }),
  ],
  [
    'groq',
    openAICompatible({
      label: 'Groq',
      baseUrl: 'https://api.groq.com/openai/v1',
      apiKeyEnvVar: 'GROQ_API_KEY',
      requireApiKey: true,
    }),
  ],
  [
    'together',
    openAICompatible({
      label: 'Together',
      baseUrl: 'https://api.together.xyz/v1',
      apiKeyEnvVar: 'TOGETHER_API_KEY',
      requireApiKey: true,
    }),
  ],
  [
    'deepseek',
    openAICompatible({
      label: 'DeepSeek',
      baseUrl: 'https://api.deepseek.com/v1',
      apiKeyEnvVar: 'DEEPSEEK_API_KEY',
      requireApiKey: true,
    }),
  ],
  ['vllm', openAICompatible({ label: 'vLLM', baseUrl: 'http://localhost:8000/v1' })],
  ['lmstudio', openAICompatible({ label: 'LM Studio', baseUrl: 'http://localhost:1234/v1' })],
  [
    'anthropic',
    {
      chat: (settings, deps) => new AnthropicChatModel(settings, deps),
      defaults: {
        label: 'Anthropic',
        baseUrl: ANTHROPIC_DEFAULT_BASE_URL,
        apiKeyEnvVar: 'ANTHROPIC_API_KEY',
        baseUrlEnvVar: 'ANTHROPIC_BASE_URL',
        requireApiKey: true,
      },
    },
  ],
  // In-process: `model` is a local model2vec folder; nothing is downloaded.
  [
    'model2vec',
    { embedder: (settings) => new Model2VecEmbedder(settings), defaults: { label: 'model2vec' } },
  ],
  [
    'litellm',
    openAICompatible({
      label: 'LiteLLM',
      baseUrl: 'http://localhost:4000/v1',
      apiKeyEnvVar: 'LITELLM_API_KEY',
    }),
  ],
]);

/** Adds or replaces a backend (a plugin, a test double, a preset of an OpenAI-compatible service). */
export function registerProvider(name: string, entry: ProviderEntry): void {
  registry.set(name.toLowerCase(), entry);
}

export function listProviders(): string[] {
  return [...registry.keys()].sort();
}

export function getProvider(name: string): ProviderEntry {
  const entry = registry.get(name.toLowerCase());
  if (entry === undefined) {
    throw new MemoryError(
      'invalid_config',
      `Unknown provider "${name}". Known providers: ${listProviders().join(', ')}.`,
      { details: { provider: name, known: listProviders() } },
    );
  }
  return entry;
}

/**
 * The entry that builds `kind` models for the provider `settings` names; an unknown provider, or
 * one without that kind of model, is an invalid_config error that lists the ones that would do.
 * The engine checks its configured models with this when it is made, before any file is opened.
 */
export function requireProvider(settings: ProviderSettings, kind: 'embedder' | 'chat'): ProviderEntry {
  const entry = getProvider(settings.provider);
  if (entry[kind] === undefined) {
    throw new MemoryError(
      'invalid_config',
      `Provider "${settings.provider}" has no ${kind === 'chat' ? 'chat' : 'embedding'} models. Pick one of: ${providersWith(kind).join(', ')}.`,
    );
  }
  return entry;
}

export function createEmbedder(settings: ProviderSettings, deps: ProviderDeps = {}): Embedder {
  const entry = requireProvider(settings, 'embedder');
  return entry.embedder!(settings, deps, entry.defaults, settings.provider.toLowerCase());
}

export function createChatModel(settings: ProviderSettings, deps: ProviderDeps = {}): ChatModel {
  const entry = requireProvider(settings, 'chat');
  return entry.chat!(settings, deps, entry.defaults, settings.provider.toLowerCase());
}

function providersWith(kind: 'embedder' | 'chat'): string[] {
  return listProviders().filter((name) => registry.get(name)?.[kind] !== undefined);
}
