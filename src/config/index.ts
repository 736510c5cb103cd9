export {
  DEFAULT_OLLAMA_BASE_URL,
  type EngramConfig,
  type EngramConfigInput,
  type ExtractionConfig,
  type ExtractionMode,
  engramConfigSchema,
  type LimitsConfig,
  type ModelSpec,
  PROVIDER_DEFAULT_MODELS,
  providerSettingsSchema,
  type SearchConfig,
  type SearchWeights,
  splitModelId,
} from './engram-config.js';
export { type ConfigProblem, invalidConfigError } from './invalid-config-error.js';
export {
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  loadConfigWithWarnings,
} from './load-config.js';
export {
  convertMem0Config,
  fromMem0Config,
  isMem0Config,
  type Mem0Config,
  type Mem0Conversion,
  type Mem0ProviderConfig,
} from './mem0-config.js';
export { CONFIG_FILE_NAME } from './read-config-file.js';
