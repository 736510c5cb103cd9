import { applyEnvironment, applyEnvironmentFallbacks, readEnv } from './apply-environment.js';
import { applyPatch, type ConfigDraft, type ConfigSources, defaultDraft, sourceAt } from './config-draft.js';
import {
  type EngramConfig,
  type EngramConfigInput,
  engramConfigPatchSchema,
  engramConfigSchema,
} from './engram-config.js';
import { type ConfigProblem, invalidConfigError, problemsFromIssues } from './invalid-config-error.js';
import { convertMem0Config, isMem0Config, type Mem0Config } from './mem0-config.js';
import { readConfigFile } from './read-config-file.js';

export interface LoadConfigOptions {
  /** Environment to read; defaults to process.env. Tests pass their own. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Where `engram.config.json` is looked for; defaults to process.cwd(). */
  cwd?: string | undefined;
  /** A config file that must exist; wins over ENGRAM_CONFIG. */
  configPath?: string | undefined;
}

export interface LoadedConfig {
  config: EngramConfig;
  /** Things accepted but not used (a mem0 Pinecone store, an ignored variable), for logs and `doctor`. */
  warnings: string[];
  /** Where each set value came from ("llm[0].model" → "env ENGRAM_LLM"); defaults are "default". */
  sources: Record<string, string>;
}

/** Resolves and validates the configuration; see `loadConfigWithWarnings`. */
export function loadConfig(
  input?: EngramConfigInput | Mem0Config,
  options: LoadConfigOptions = {},
): EngramConfig {
  return loadConfigWithWarnings(input, options).config;
}

/**
 * Resolves the configuration once. Later layers win: defaults < config file < environment <
 * code input. Every problem across all layers is reported in ONE `invalid_config` MemoryError.
 */
export function loadConfigWithWarnings(
  input?: EngramConfigInput | Mem0Config,
  options: LoadConfigOptions = {},
): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const sources: ConfigSources = new Map();
  const warnings: string[] = [];
  const problems: ConfigProblem[] = [];
  const draft = defaultDraft(sources);

  const envPath = readEnv(env, 'ENGRAM_CONFIG');
  const explicitPath = options.configPath ?? envPath;
  const file = readConfigFile(
    cwd,
    explicitPath,
    options.configPath ? 'the configPath option' : 'ENGRAM_CONFIG',
  );
  if (file.kind === 'failed') problems.push(file.problem);
  if (file.kind === 'loaded') {
    const { $schema: _editorHint, ...value } = file.value as Record<string, unknown>;
    applyLayer(draft, value, `file ${file.path}`, sources, warnings, problems);
  }

  applyEnvironment(draft, env, sources, warnings, problems);

  if (input !== undefined) applyLayer(draft, input, 'code', sources, warnings, problems);

  applyEnvironmentFallbacks(draft, env, sources, warnings);

  // Layers that failed were skipped, so the draft still holds valid values there; checking the
  // rest now lets one error list every problem (a bad URL in env next to a typo in the file).
  const result = engramConfigSchema.safeParse(draft, { reportInput: true });
  if (!result.success) {
    const seen = new Set(problems.map((p) => p.path));
    const late = problemsFromIssues(result.error.issues, (path) => sourceAt(sources, path));
    problems.push(...late.filter((p) => !seen.has(p.path)));
  }
  if (problems.length > 0 || !result.success) throw invalidConfigError(problems);
  return { config: result.data, warnings, sources: Object.fromEntries(sources) };
}

function applyLayer(
  draft: ConfigDraft,
  value: unknown,
  source: string,
  sources: ConfigSources,
  warnings: string[],
  problems: ConfigProblem[],
): void {
  let layer = value;
  let label = source;
  if (isMem0Config(value)) {
    const converted = convertMem0Config(value);
    layer = converted.config;
    label = `${source} (mem0 config)`;
    warnings.push(...converted.warnings.map((w) => `${label}: ${w}`));
  }
  const parsed = engramConfigPatchSchema.safeParse(layer, { reportInput: true });
  if (!parsed.success) {
    problems.push(...problemsFromIssues(parsed.error.issues, () => label));
    return;
  }
  applyPatch(draft, parsed.data, () => label, sources, warnings);
}
