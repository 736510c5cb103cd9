import type { ProviderSettings } from '../spec/provider-settings.js';
import { type EngramConfigInput, PROVIDER_DEFAULT_MODELS, splitModelId } from './engram-config.js';

/** `{provider, config}` as mem0 (TS and Python) writes every pluggable part. */
export interface Mem0ProviderConfig {
  provider?: string;
  config?: Record<string, unknown>;
}

/** A mem0 `Memory` config object (camelCase from mem0 TS, snake_case from mem0 Python). */
export interface Mem0Config {
  version?: string;
  llm?: Mem0ProviderConfig;
  embedder?: Mem0ProviderConfig;
  vectorStore?: Mem0ProviderConfig;
  vector_store?: Mem0ProviderConfig;
  historyStore?: Mem0ProviderConfig;
  history_store?: Mem0ProviderConfig;
  historyDbPath?: string;
  history_db_path?: string;
  customPrompt?: string;
  custom_fact_extraction_prompt?: string;
  customUpdateMemoryPrompt?: string;
  custom_update_memory_prompt?: string;
  customInstructions?: string;
  [key: string]: unknown;
}

export interface Mem0Conversion {
  config: EngramConfigInput;
  /** What engram does not use from the mem0 config (other vector stores, unknown options). */
  warnings: string[];
}

/** Keys only a mem0 config has; engram's own config never uses them. */
const MEM0_ONLY_KEYS = [
  'version',
  'vectorStore',
  'vector_store',
  'historyStore',
  'history_store',
  'historyDbPath',
  'history_db_path',
  'customPrompt',
  'custom_fact_extraction_prompt',
  'custom_update_memory_prompt',
  'customUpdateMemoryPrompt',
  'customInstructions',
  'graphStore',
  'graph_store',
  'enableGraph',
  'enable_graph',
  'disableHistory',
];

/** Engram keys passed through unchanged, so a mem0 config can carry engram extras. */
const ENGRAM_KEYS = ['dbPath', 'tenant', 'search', 'limits', 'extraction', 'graph'] as const;

/** mem0 providers engram keeps in its own SQL store instead. */
const OWN_VECTOR_STORES = new Set(['memory', 'sqlite']);
const PROVIDER_ALIASES: Readonly<Record<string, string>> = { openai_structured: 'openai' };
const DB_FILE = /\.(db|sqlite|sqlite3)$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** mem0 form is `{provider, config?}`; engram's provider objects never have `config`. */
function isMem0Provider(value: unknown): value is Mem0ProviderConfig {
  if (!isRecord(value) || typeof value.provider !== 'string') return false;
  return isRecord(value.config) || Object.keys(value).every((k) => k === 'provider' || k === 'config');
}

export function isMem0Config(value: unknown): value is Mem0Config {
  if (!isRecord(value)) return false;
  if (MEM0_ONLY_KEYS.some((key) => key in value)) return true;
  return (
    (isRecord(value.llm) && 'config' in value.llm && isMem0Provider(value.llm)) ||
    (isRecord(value.embedder) && 'config' in value.embedder && isMem0Provider(value.embedder))
  );
}

/** Maps a mem0 config onto engram's input; see `convertMem0Config` for the warnings. */
export function fromMem0Config(value: Mem0Config): EngramConfigInput {
  return convertMem0Config(value).config;
}

/**
 * Maps a mem0 config onto engram's input. Parts engram replaces with its own store (Pinecone,
 * Qdrant, a graph store, ...) are not errors: a mem0 user switching should not have to edit
 * the config first. They are reported in `warnings` instead.
 */
export function convertMem0Config(value: Mem0Config): Mem0Conversion {
  const warnings: string[] = [];
  const out: EngramConfigInput = {};
  const mapped = new Set<string>(['version', ...ENGRAM_KEYS]);

  for (const key of ENGRAM_KEYS) {
    if (value[key] !== undefined) Object.assign(out, { [key]: value[key] });
  }

  // Passed-through engram forms are unchecked here; loadConfig validates every layer.
  mapped.add('llm');
  if (value.llm !== undefined) out.llm = mapModel('llm', value.llm, warnings) as EngramConfigInput['llm'];
  mapped.add('embedder');
  if (value.embedder !== undefined) {
    out.embedder = mapModel('embedder', value.embedder, warnings) as EngramConfigInput['embedder'];
  }

  const dbPaths: Array<{ from: string; path: string }> = [];
  const history = value.historyStore ?? value.history_store;
  mapped.add('historyStore').add('history_store').add('historyDbPath').add('history_db_path');
  if (history !== undefined) {
    const name = value.historyStore !== undefined ? 'historyStore' : 'history_store';
    const provider = isRecord(history) ? history.provider : undefined;
    const config = isRecord(history) && isRecord(history.config) ? history.config : {};
    if (provider !== undefined && provider !== 'sqlite') {
      warnings.push(
        `${name}.provider "${String(provider)}" is not used: engram keeps history in its own store at dbPath`,
      );
    } else {
      const path = config.historyDbPath ?? config.history_db_path;
      if (typeof path === 'string') dbPaths.push({ from: `${name}.config.historyDbPath`, path });
    }
  }
  for (const key of ['historyDbPath', 'history_db_path'] as const) {
    const path = value[key];
    if (typeof path === 'string') dbPaths.push({ from: key, path });
  }

  const store = value.vectorStore ?? value.vector_store;
  mapped.add('vectorStore').add('vector_store');
  if (store !== undefined) {
    const name = value.vectorStore !== undefined ? 'vectorStore' : 'vector_store';
    mapVectorStore(name, store, out, dbPaths, warnings);
  }

  const chosen = dbPaths.find((p) => DB_FILE.test(p.path));
  for (const candidate of dbPaths) {
    if (candidate === chosen || candidate.path === chosen?.path) continue;
    warnings.push(
      DB_FILE.test(candidate.path)
        ? `${candidate.from} "${candidate.path}" is ignored: engram uses one database, dbPath "${chosen?.path}"`
        : `${candidate.from} "${candidate.path}" is not a SQLite file (.db/.sqlite); ignored — set dbPath instead`,
    );
  }
  if (chosen && out.dbPath === undefined) out.dbPath = chosen.path;

  // mem0's graph switch turns engram's graph on; its graph store settings have no use here.
  mapped.add('enableGraph').add('enable_graph');
  const enableGraph = value.enableGraph ?? value.enable_graph;
  if (typeof enableGraph === 'boolean') out.graph = { ...out.graph, enabled: enableGraph };
  else if (enableGraph !== undefined) warnings.push('enableGraph is not true or false; ignored');

  mapPrompts(value, out, mapped, warnings);

  for (const key of Object.keys(value)) {
    if (mapped.has(key) || value[key] === undefined) continue;
    warnings.push(`${key} is not used by engram; ignored${IGNORED_REASONS[key] ?? ''}`);
  }
  return { config: out, warnings };
}

const IGNORED_REASONS: Readonly<Record<string, string>> = {
  graphStore: ' (engram keeps its graph in its own store; enableGraph turns it on)',
  graph_store: ' (engram keeps its graph in its own store; enableGraph turns it on)',
  disableHistory: ' (engram always keeps history)',
};

function mapVectorStore(
  name: string,
  store: unknown,
  out: EngramConfigInput,
  dbPaths: Array<{ from: string; path: string }>,
  warnings: string[],
): void {
  if (!isRecord(store)) {
    warnings.push(`${name} is not an object; ignored`);
    return;
  }
  const provider = typeof store.provider === 'string' ? store.provider.toLowerCase() : undefined;
  const config = isRecord(store.config) ? store.config : {};
  const dims = toNumber(config.dimension ?? config.embedding_model_dims ?? config.embeddingModelDims);
  if (dims !== undefined) {
    const given = out.embedder;
    // A "provider:model" string becomes an object so the dimension has somewhere to go.
    const parts: Partial<ProviderSettings> | undefined =
      typeof given === 'string' ? splitModelId(given) : undefined;
    const embedder = parts ?? given;
    if (parts) out.embedder = parts;
    if (isRecord(embedder)) {
      if (embedder.dimensions === undefined) embedder.dimensions = dims;
      else if (embedder.dimensions !== dims) {
        warnings.push(
          `${name}.config dimension ${dims} differs from embedder dimensions ${embedder.dimensions}; using the embedder's`,
        );
      }
    } else if (embedder === undefined) {
      // Patches whatever embedder the other layers configure.
      out.embedder = { dimensions: dims };
    }
  }
  if (provider === 'qdrant' || provider === 'chroma') {
    mapDerivedIndex(name, provider, config, out, warnings);
    return;
  }
  if (provider !== undefined && !OWN_VECTOR_STORES.has(provider)) {
    warnings.push(
      `${name}.provider "${provider}" is not used: engram keeps vectors in its own SQL store (dbPath); its settings are ignored`,
    );
    return;
  }
  const path = config.dbPath ?? config.db_path ?? config.path;
  if (typeof path === 'string') dbPaths.push({ from: `${name}.config.dbPath`, path });
}

/**
 * mem0's Qdrant and Chroma vector stores become engram's derived index of the same engine: the
 * SQL store keeps the data, the index serves the vector leg of search (docs/indexes.md).
 */
function mapDerivedIndex(
  name: string,
  provider: 'qdrant' | 'chroma',
  config: Record<string, unknown>,
  out: EngramConfigInput,
  warnings: string[],
): void {
  const text = (...keys: string[]): string | undefined => {
    for (const key of keys) if (typeof config[key] === 'string' && config[key] !== '') return config[key];
    return undefined;
  };
  const host = text('host');
  const port = toNumber(config.port) ?? (provider === 'qdrant' ? 6333 : 8000);
  const url =
    text('url') ?? (host ? `${/^https?:\/\//.test(host) ? '' : 'http://'}${host}:${port}` : undefined);
  const index: NonNullable<EngramConfigInput['index']> = { provider };
  if (url !== undefined) index.url = url;
  const collection = text('collectionName', 'collection_name');
  if (collection !== undefined) index.collection = collection;
  const apiKey = text('apiKey', 'api_key');
  if (apiKey !== undefined) {
    if (provider === 'qdrant') index.apiKey = apiKey;
    else warnings.push(`${name}.config api_key is not used: engram's chroma index takes no key`);
  }
  if (url === undefined) {
    warnings.push(
      `${name} ${provider} is not used: engram talks to a ${provider} server and none is named${text('path') === undefined ? '' : ` (config.path, an embedded ${provider}, has no server)`} — set ${name}.config.url (or host and port)`,
    );
    return;
  }
  out.index = index;
}

const CONFIG_KEYS_USED = {
  model: ['model'],
  temperature: ['temperature'],
  apiKey: ['apiKey', 'api_key'],
  baseUrl: ['baseUrl', 'baseURL', 'base_url', 'url', 'ollama_base_url', 'openai_base_url', 'host'],
  dimensions: ['embeddingDims', 'embedding_dims', 'dimensions'],
} as const;

function mapModel(kind: 'llm' | 'embedder', raw: unknown, warnings: string[]): unknown {
  // Engram's own forms ("ollama:llama3.2:3b", {provider, model}) pass through to validation.
  if (!isMem0Provider(raw)) return raw;
  const provider = raw.provider?.toLowerCase() ?? '';
  const normalised = PROVIDER_ALIASES[provider] ?? provider;
  const config = raw.config ?? {};
  const out: Partial<ProviderSettings> = { provider: normalised };

  const pick = (names: readonly string[]): unknown => {
    for (const n of names) if (config[n] !== undefined) return config[n];
    return undefined;
  };
  const model = pick(CONFIG_KEYS_USED.model);
  if (typeof model === 'string') out.model = model;
  else out.model = PROVIDER_DEFAULT_MODELS[normalised]?.[kind];
  const apiKey = pick(CONFIG_KEYS_USED.apiKey);
  if (typeof apiKey === 'string' && apiKey) out.apiKey = apiKey;
  const baseUrl = pick(CONFIG_KEYS_USED.baseUrl);
  if (typeof baseUrl === 'string' && baseUrl) out.baseUrl = baseUrl;
  const temperature = toNumber(pick(CONFIG_KEYS_USED.temperature));
  if (kind === 'llm' && temperature !== undefined) out.temperature = temperature;
  const dims = toNumber(pick(CONFIG_KEYS_USED.dimensions));
  if (kind === 'embedder' && dims !== undefined) out.dimensions = dims;

  const used = new Set<string>(Object.values(CONFIG_KEYS_USED).flat());
  const ignored = Object.keys(config).filter((k) => !used.has(k) && config[k] !== undefined);
  if (ignored.length > 0) warnings.push(`${kind}.config: ${ignored.join(', ')} not used by engram; ignored`);
  return out;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/**
 * mem0's prompt options. `customInstructions` (mem0 TS 3.x) is added to the extraction prompt, as
 * mem0 adds it. `customPrompt` / `custom_fact_extraction_prompt` REPLACES the extraction system
 * prompt and `custom_update_memory_prompt` the reconciliation one, as they replace mem0's; both
 * are prompts of the two-pass pipeline, so they select it (an explicit single-pass is a warning).
 * engram still sends its reply schema, so the model answers in engram's JSON whatever the prompt
 * says (docs/mem0-compatibility.md).
 */
function mapPrompts(
  value: Mem0Config,
  out: EngramConfigInput,
  mapped: Set<string>,
  warnings: string[],
): void {
  const text = (...keys: (keyof Mem0Config & string)[]): string | undefined => {
    for (const key of keys) {
      mapped.add(key);
      const v = value[key];
      if (typeof v === 'string' && v.trim() !== '') return v;
      if (v !== undefined) warnings.push(`${key} is not a non-empty string; ignored`);
    }
    return undefined;
  };
  const instructions = text('customInstructions');
  const extract = text('customPrompt', 'custom_fact_extraction_prompt');
  const reconcile = text('customUpdateMemoryPrompt', 'custom_update_memory_prompt');
  if (instructions === undefined && extract === undefined && reconcile === undefined) return;
  const extraction = { ...(out.extraction as Record<string, unknown> | undefined) };
  if (instructions !== undefined) extraction.customInstructions = instructions;
  if (extract !== undefined || reconcile !== undefined) {
    extraction.prompts = {
      ...(extraction.prompts as Record<string, unknown> | undefined),
      ...(extract === undefined ? {} : { extract }),
      ...(reconcile === undefined ? {} : { reconcile }),
    };
    if (extraction.mode === 'single-pass') {
      warnings.push(
        'customPrompt / custom_update_memory_prompt replace prompts of the two-pass pipeline, but extraction.mode is single-pass: they are not used — remove extraction.mode to use them',
      );
    } else extraction.mode = 'two-pass';
  }
  out.extraction = extraction as EngramConfigInput['extraction'];
}
