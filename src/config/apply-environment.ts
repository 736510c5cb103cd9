import {
  applyPatch,
  type ConfigDraft,
  type ConfigSources,
  clearSources,
  type SourceLabel,
  sourceAt,
} from './config-draft.js';
import {
  DEFAULT_OLLAMA_BASE_URL,
  engramConfigPatchSchema,
  PROVIDER_DEFAULT_MODELS,
  type ProviderPatch,
  splitModelId,
} from './engram-config.js';
import { type ConfigProblem, problemsFromIssues } from './invalid-config-error.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A set, non-blank variable, trimmed; blank counts as unset (`ENGRAM_DB=` in a .env file). */
export function readEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

const NUMBER_EXAMPLES: Readonly<Record<string, string>> = {
  ENGRAM_EMBEDDER_DIMENSIONS: '768',
  ENGRAM_MAX_TEXT_CHARS: '20000',
  ENGRAM_HALF_LIFE_DAYS: '30',
};

function readNumber(env: Env, name: string, problems: ConfigProblem[]): number | undefined {
  const text = readEnv(env, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (Number.isFinite(value)) return value;
  problems.push({
    path: name,
    message: `expected a number, got ${JSON.stringify(text)}`,
    hint: `set ${name} to a number such as ${NUMBER_EXAMPLES[name] ?? '10'}, or unset it`,
  });
  return undefined;
}

/**
 * The environment layer, between the config file and code. The names the seed projects'
 * users already set (MEM0_*_PROVIDER, OLLAMA_MODEL, OLLAMA_EMBED_MODEL) apply first, so the
 * more specific ENGRAM_* variables win over them.
 */
export function applyEnvironment(
  draft: ConfigDraft,
  env: Env,
  sources: ConfigSources,
  warnings: string[],
  problems: ConfigProblem[],
): void {
  applySeedNames(draft, env, sources, problems);

  const raw: Record<string, unknown> = {};
  const varByPath = new Map<string, string>();
  const take = (path: string, name: string): string | undefined => {
    const value = readEnv(env, name);
    if (value !== undefined) varByPath.set(path, name);
    return value;
  };

  const db = take('dbPath', 'ENGRAM_DB');
  if (db !== undefined) raw.dbPath = db;
  const store = take('store.provider', 'ENGRAM_STORE');
  if (store !== undefined) raw.store = { provider: store.toLowerCase() };
  // A derived vector index: ENGRAM_INDEX names the provider (qdrant, chroma), the others refine it.
  const index: Record<string, string> = {};
  for (const [field, name] of [
    ['provider', 'ENGRAM_INDEX'],
    ['url', 'ENGRAM_INDEX_URL'],
    ['apiKey', 'ENGRAM_INDEX_API_KEY'],
    ['collection', 'ENGRAM_INDEX_COLLECTION'],
  ] as const) {
    const value = take(`index.${field}`, name);
    if (value !== undefined) index[field] = field === 'provider' ? value.toLowerCase() : value;
  }
  if (Object.keys(index).length > 0) raw.index = index;
  const tenant = take('tenant', 'ENGRAM_TENANT');
  if (tenant !== undefined) raw.tenant = tenant;

  const embedder = take('embedder', 'ENGRAM_EMBEDDER');
  const embedderUrl = take('embedder.baseUrl', 'ENGRAM_EMBEDDER_BASE_URL');
  const dimensions = readNumber(env, 'ENGRAM_EMBEDDER_DIMENSIONS', problems);
  if (dimensions !== undefined) varByPath.set('embedder.dimensions', 'ENGRAM_EMBEDDER_DIMENSIONS');
  const extras = { baseUrl: embedderUrl, dimensions };
  const hasExtras = embedderUrl !== undefined || dimensions !== undefined;
  if (embedder?.toLowerCase() === 'none') {
    raw.embedder = null;
    if (hasExtras)
      warnings.push(
        'ENGRAM_EMBEDDER_BASE_URL / ENGRAM_EMBEDDER_DIMENSIONS are ignored: ENGRAM_EMBEDDER=none',
      );
  } else if (embedder !== undefined) {
    const parts = splitModelId(embedder);
    // An unparseable id goes to the schema as is, which reports it with the fix.
    raw.embedder = parts && hasExtras ? { ...parts, ...extras } : embedder;
  } else if (hasExtras) {
    raw.embedder = extras;
  }

  const llm = take('llm', 'ENGRAM_LLM');
  if (llm !== undefined) raw.llm = llm.toLowerCase() === 'none' ? null : llm;

  const maxTextChars = readNumber(env, 'ENGRAM_MAX_TEXT_CHARS', problems);
  if (maxTextChars !== undefined) {
    raw.limits = { maxTextChars };
    varByPath.set('limits.maxTextChars', 'ENGRAM_MAX_TEXT_CHARS');
  }
  const halfLifeDays = readNumber(env, 'ENGRAM_HALF_LIFE_DAYS', problems);
  if (halfLifeDays !== undefined) {
    raw.search = { halfLifeDays };
    varByPath.set('search.halfLifeDays', 'ENGRAM_HALF_LIFE_DAYS');
  }

  const label: SourceLabel = (path) => {
    const variables = [...varByPath].filter(
      ([p]) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`),
    );
    const best = variables.sort((a, b) => b[0].length - a[0].length)[0];
    return best ? `env ${best[1]}` : 'env';
  };
  const parsed = engramConfigPatchSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    problems.push(...problemsFromIssues(parsed.error.issues, label));
    return;
  }
  applyPatch(draft, parsed.data, label, sources, warnings);

  applyPostgresUrl(draft, env, sources, warnings);
  applyEncryptionKey(draft, env, sources, problems);

  const llmUrl = readEnv(env, 'ENGRAM_LLM_BASE_URL');
  if (llmUrl !== undefined) {
    // One URL serves one server: it belongs to the primary model, not the whole fallback chain.
    const primary = draft.llm[0];
    if (primary) {
      primary.baseUrl = llmUrl;
      sources.set('llm[0].baseUrl', 'env ENGRAM_LLM_BASE_URL');
    } else {
      warnings.push('ENGRAM_LLM_BASE_URL is ignored: no LLM is configured');
    }
  }
}

/**
 * ENGRAM_PG_URL points engram at PostgreSQL in one variable: it selects the postgres store when
 * no store is configured and sets its URL (over a config file's). DATABASE_URL, the name many
 * platforms set for their own database, only fills the URL of a store already set to postgres.
 * ENGRAM_PG_SCHEMA sets the schema of a postgres store.
 */
function applyPostgresUrl(draft: ConfigDraft, env: Env, sources: ConfigSources, warnings: string[]): void {
  const explicit = readEnv(env, 'ENGRAM_PG_URL');
  const platform = readEnv(env, 'DATABASE_URL');
  if (explicit !== undefined && draft.store === undefined) {
    draft.store = { provider: 'postgres' };
    sources.set('store.provider', 'env ENGRAM_PG_URL');
  }
  const provider = draft.store?.provider?.toLowerCase();
  if (provider !== 'postgres') {
    if (explicit !== undefined)
      warnings.push(`ENGRAM_PG_URL is ignored: the store is ${provider ?? 'sqlite'}`);
    return;
  }
  const store = draft.store as NonNullable<ConfigDraft['store']>;
  const schema = readEnv(env, 'ENGRAM_PG_SCHEMA');
  if (schema !== undefined) {
    store.schema = schema;
    sources.set('store.schema', 'env ENGRAM_PG_SCHEMA');
  }
  if (explicit !== undefined) {
    store.url = explicit;
    sources.set('store.url', 'env ENGRAM_PG_URL');
  } else if (platform !== undefined && store.url === undefined) {
    store.url = platform;
    sources.set('store.url', 'env DATABASE_URL');
  }
}

/**
 * ENGRAM_ENCRYPTION_KEY / ENGRAM_ENCRYPTION_KEY_FILE encrypt the SQLite file at rest; they select
 * SQLite when no store is configured. Set for another store, they are refused by name (never
 * ignored: the operator believes the data is encrypted). Problems never echo the key.
 */
function applyEncryptionKey(
  draft: ConfigDraft,
  env: Env,
  sources: ConfigSources,
  problems: ConfigProblem[],
): void {
  const key = readEnv(env, 'ENGRAM_ENCRYPTION_KEY');
  const keyFile = readEnv(env, 'ENGRAM_ENCRYPTION_KEY_FILE');
  if (key === undefined && keyFile === undefined) return;
  const name = key !== undefined ? 'ENGRAM_ENCRYPTION_KEY' : 'ENGRAM_ENCRYPTION_KEY_FILE';
  if (key !== undefined && keyFile !== undefined) {
    problems.push({
      path: 'ENGRAM_ENCRYPTION_KEY',
      message: 'both ENGRAM_ENCRYPTION_KEY and ENGRAM_ENCRYPTION_KEY_FILE are set',
      hint: 'set only one of them',
    });
    return;
  }
  const provider = draft.store?.provider?.toLowerCase() ?? 'sqlite';
  if (provider !== 'sqlite') {
    problems.push({
      path: name,
      message: `${name} encrypts a SQLite store, but the store is ${provider}`,
      hint: `unset ${name}; encrypt a ${provider} store's disks or use its own encryption at rest`,
    });
    return;
  }
  // One key source per layer: the variable replaces a key (or key file) the config file named.
  const { encryptionKey: _key, encryptionKeyFile: _file, ...rest } = draft.store ?? { provider: 'sqlite' };
  sources.delete('store.encryptionKey');
  sources.delete('store.encryptionKeyFile');
  draft.store = { ...rest, provider: rest.provider ?? 'sqlite' };
  if (key !== undefined) draft.store.encryptionKey = key;
  else draft.store.encryptionKeyFile = keyFile;
  sources.set(key !== undefined ? 'store.encryptionKey' : 'store.encryptionKeyFile', `env ${name}`);
  if (!sources.has('store.provider')) sources.set('store.provider', `env ${name}`);
}

function applySeedNames(
  draft: ConfigDraft,
  env: Env,
  sources: ConfigSources,
  problems: ConfigProblem[],
): void {
  const engramLlm = readEnv(env, 'ENGRAM_LLM');
  const engramEmbedder = readEnv(env, 'ENGRAM_EMBEDDER');

  const llmProvider = readEnv(env, 'MEM0_LLM_PROVIDER')?.toLowerCase();
  if (llmProvider && !engramLlm && draft.llm[0]?.provider !== llmProvider) {
    const model = defaultModel(llmProvider, 'llm', 'MEM0_LLM_PROVIDER', 'ENGRAM_LLM', problems);
    if (model) {
      clearSources(sources, 'llm');
      draft.llm = [{ provider: llmProvider, model }];
      sources.set('llm[0].provider', 'env MEM0_LLM_PROVIDER');
      sources.set('llm[0].model', 'env MEM0_LLM_PROVIDER');
    }
  }
  const embedderProvider = readEnv(env, 'MEM0_EMBEDDER_PROVIDER')?.toLowerCase();
  if (embedderProvider && !engramEmbedder && draft.embedder?.provider !== embedderProvider) {
    const model = defaultModel(
      embedderProvider,
      'embedder',
      'MEM0_EMBEDDER_PROVIDER',
      'ENGRAM_EMBEDDER',
      problems,
    );
    if (model) {
      clearSources(sources, 'embedder');
      draft.embedder = { provider: embedderProvider, model };
      sources.set('embedder.provider', 'env MEM0_EMBEDDER_PROVIDER');
      sources.set('embedder.model', 'env MEM0_EMBEDDER_PROVIDER');
    }
  }

  const ollamaModel = readEnv(env, 'OLLAMA_MODEL');
  const ollamaIndex = draft.llm.findIndex((entry) => entry.provider === 'ollama');
  const ollamaLlm = draft.llm[ollamaIndex];
  if (ollamaModel && !engramLlm && ollamaLlm) {
    ollamaLlm.model = ollamaModel;
    sources.set(`llm[${ollamaIndex}].model`, 'env OLLAMA_MODEL');
  }
  const ollamaEmbedModel = readEnv(env, 'OLLAMA_EMBED_MODEL');
  if (ollamaEmbedModel && !engramEmbedder && draft.embedder?.provider === 'ollama') {
    if (draft.embedder.model !== ollamaEmbedModel) {
      delete draft.embedder.dimensions;
      sources.delete('embedder.dimensions');
    }
    draft.embedder.model = ollamaEmbedModel;
    sources.set('embedder.model', 'env OLLAMA_EMBED_MODEL');
  }
}

function defaultModel(
  provider: string,
  kind: 'llm' | 'embedder',
  variable: string,
  engramVariable: string,
  problems: ConfigProblem[],
): string | undefined {
  const model = PROVIDER_DEFAULT_MODELS[provider]?.[kind];
  if (!model) {
    problems.push({
      path: variable,
      message: `no default ${kind === 'llm' ? 'LLM' : 'embedding'} model is known for provider "${provider}"`,
      hint: `set ${engramVariable}=${provider}:<model> instead, or use one of: ${Object.keys(PROVIDER_DEFAULT_MODELS).join(', ')}`,
    });
  }
  return model;
}

/**
 * "myhost" → "http://myhost:11434", "0.0.0.0:11434" → "http://0.0.0.0:11434": what the Ollama
 * CLI accepts in OLLAMA_HOST. A value with a scheme is used as is.
 */
export function ollamaHostToUrl(host: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) return host;
  const url = `http://${host}`;
  try {
    return new URL(url).port ? url : `${url.replace(/\/+$/, '')}:11434`;
  } catch {
    return url; // Left for the URL check of the final validation to report.
  }
}

/**
 * Fills what nothing more specific set, after code input is merged: Ollama and OpenAI
 * connection settings from the variables their own SDKs read. A built-in default URL yields
 * to OLLAMA_BASE_URL / OLLAMA_HOST.
 */
export function applyEnvironmentFallbacks(
  draft: ConfigDraft,
  env: Env,
  sources: ConfigSources,
  warnings: string[],
): void {
  const ollamaBaseUrl = readEnv(env, 'OLLAMA_BASE_URL');
  const ollamaHost = readEnv(env, 'OLLAMA_HOST');
  const ollamaUrl = ollamaBaseUrl ?? (ollamaHost ? ollamaHostToUrl(ollamaHost) : undefined);
  const ollamaSource = ollamaBaseUrl ? 'env OLLAMA_BASE_URL' : 'env OLLAMA_HOST';
  const openaiKey = readEnv(env, 'OPENAI_API_KEY');
  const openaiUrl = readEnv(env, 'OPENAI_BASE_URL');

  const entries: Array<[string, ProviderPatch]> = draft.llm.map((entry, i) => [`llm[${i}]`, entry]);
  if (draft.embedder) entries.push(['embedder', draft.embedder]);

  for (const [path, entry] of entries) {
    if (entry.provider === 'ollama') {
      const fromDefault = sources.get(`${path}.baseUrl`) === 'default';
      if (ollamaUrl && (entry.baseUrl === undefined || fromDefault)) {
        entry.baseUrl = ollamaUrl;
        sources.set(`${path}.baseUrl`, ollamaSource);
      } else if (entry.baseUrl === undefined) {
        entry.baseUrl = DEFAULT_OLLAMA_BASE_URL;
        sources.set(`${path}.baseUrl`, 'default');
      }
    } else if (entry.provider === 'openai') {
      if (entry.apiKey === undefined && openaiKey) {
        entry.apiKey = openaiKey;
        sources.set(`${path}.apiKey`, 'env OPENAI_API_KEY');
      }
      if (entry.baseUrl === undefined && openaiUrl) {
        entry.baseUrl = openaiUrl;
        sources.set(`${path}.baseUrl`, 'env OPENAI_BASE_URL');
      }
      if (entry.apiKey === undefined && entry.baseUrl === undefined) {
        warnings.push(
          `${path} (openai:${entry.model ?? '?'}) has no API key: set OPENAI_API_KEY or ${path}.apiKey` +
            (sourceAt(sources, path) ? ` (configured in ${sourceAt(sources, path)})` : ''),
        );
      }
    }
  }
}
