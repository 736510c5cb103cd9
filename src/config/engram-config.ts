import { z } from 'zod';
import type { ProviderSettings } from '../spec/provider-settings.js';
import {
  DEFAULT_LIMITS,
  graphFields,
  indexFields,
  indexSettings,
  limitsFields,
  nonEmptyString,
  nonNegativeInt,
  observeFields,
  positiveInt,
  searchFields,
  storeFields,
  storeSettings,
  weightFields,
} from './config-fields.js';
import { LIFECYCLE_KEYS, lifecycleBlocks, lifecyclePatches } from './lifecycle-config.js';

export { DEFAULT_LIMITS } from './config-fields.js';

/** Where Ollama listens when nothing else says so. */
export const DEFAULT_OLLAMA_BASE_URL = 'http://localhost:11434';

/**
 * The model a provider gets when only the provider is named (`MEM0_LLM_PROVIDER=openai`, a mem0
 * config without `model`). Providers missing here must be given with an explicit model.
 */
export const PROVIDER_DEFAULT_MODELS: Readonly<Record<string, { llm: string; embedder: string }>> = {
  ollama: { llm: 'llama3.2:3b', embedder: 'nomic-embed-text' },
  openai: { llm: 'gpt-4o-mini', embedder: 'text-embedding-3-small' },
};

/**
 * Splits a model id at the FIRST colon, so Ollama tags survive: "ollama:llama3.2:3b" →
 * {provider: "ollama", model: "llama3.2:3b"}. Undefined when either side is empty.
 */
export function splitModelId(id: string): { provider: string; model: string } | undefined {
  const colon = id.indexOf(':');
  if (colon < 0) return undefined;
  const provider = id.slice(0, colon).trim().toLowerCase();
  const model = id.slice(colon + 1).trim();
  return provider && model ? { provider, model } : undefined;
}

export const MODEL_ID_HINT = 'use "provider:model", e.g. "ollama:llama3.2:3b" or "openai:gpt-4o-mini"';

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

const httpUrl = () =>
  z
    .string({ error: 'expected an http(s) URL such as "http://localhost:11434"' })
    .trim()
    .refine(isHttpUrl, { error: 'expected an http(s) URL such as "http://localhost:11434"' });

const providerFields = {
  provider: nonEmptyString(),
  model: nonEmptyString(),
  baseUrl: httpUrl().optional(),
  apiKey: z.string({ error: 'expected a string' }).optional(),
  dimensions: positiveInt().optional(),
  timeoutMs: positiveInt().optional(),
  maxRetries: nonNegativeInt().optional(),
  batchSize: positiveInt().optional(),
  temperature: z
    .number({ error: 'expected a number from 0 to 2' })
    .min(0, { error: 'expected a number from 0 to 2' })
    .max(2, { error: 'expected a number from 0 to 2' })
    .optional(),
  numCtx: positiveInt().optional(),
  keepAlive: z.string({ error: 'expected a duration string such as "5m"' }).optional(),
  headers: z.record(z.string(), z.string({ error: 'expected a string header value' })).optional(),
};

/** One model connection, fully resolved. */
export const providerSettingsSchema = z.strictObject(providerFields);

/** A provider entry inside one config layer: any field may be left to an earlier layer. */
export const providerPatchSchema = z.strictObject({
  ...providerFields,
  provider: providerFields.provider.optional(),
  model: providerFields.model.optional(),
});

export type ProviderPatch = z.output<typeof providerPatchSchema>;

/** "provider:model" strings become objects; anything else is left for the object schema to judge. */
function expandModelId(value: unknown, ctx: z.RefinementCtx): unknown {
  if (typeof value !== 'string') return value;
  const parts = splitModelId(value);
  if (!parts) {
    ctx.addIssue({ code: 'custom', message: `expected a model id "provider:model"`, input: value });
  }
  return parts ?? value;
}

/** The LLM is a fallback chain: one entry, a comma-separated string, an array, or null/[] for none. */
function expandChain(value: unknown): unknown {
  if (value === null) return [];
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part.length > 0);
  }
  return Array.isArray(value) ? value : [value];
}

const embedderSpec = <T extends z.ZodType>(entry: T) =>
  z.preprocess((value, ctx) => expandModelId(value, ctx), entry).nullable();
const llmChain = <T extends z.ZodType>(entry: T) =>
  z.preprocess(
    expandChain,
    z.array(
      z.preprocess((value, ctx) => expandModelId(value, ctx), entry),
      {
        error: 'expected a model id, a provider object, an array of them, or null',
      },
    ),
  );

const extractionMode = z.enum(['two-pass', 'single-pass'], {
  error: 'expected "two-pass" or "single-pass"',
});

/**
 * Replacement system prompts for the inference calls. The reply schema stays engram's (it is
 * sent for constrained decoding and validated), so a custom prompt must ask for the same JSON.
 */
const promptOverrides = z.strictObject({
  extract: z.string({ error: 'expected the system prompt text' }).min(1).optional(),
  reconcile: z.string({ error: 'expected the system prompt text' }).min(1).optional(),
  singlePass: z.string({ error: 'expected the system prompt text' }).min(1).optional(),
});

const DEFAULT_WEIGHTS = { relevance: 0.7, recency: 0.15, importance: 0.15 };

/**
 * The fully resolved configuration. Parsing `{}` yields every default; model ids given as
 * strings and a single LLM object are normalised, so this schema also accepts the code form.
 */
export const engramConfigSchema = z.strictObject({
  dbPath: nonEmptyString().default('./engram.db'),
  /** Absent: SQLite at dbPath. */
  store: storeSettings.optional(),
  /** Absent: the store's own vectors serve search. */
  index: indexSettings.optional(),
  tenant: nonEmptyString().default('default'),
  embedder: embedderSpec(providerSettingsSchema).default({
    provider: 'ollama',
    model: 'nomic-embed-text',
    baseUrl: DEFAULT_OLLAMA_BASE_URL,
  }),
  llm: llmChain(providerSettingsSchema).default([
    { provider: 'ollama', model: 'llama3.2:3b', baseUrl: DEFAULT_OLLAMA_BASE_URL },
  ]),
  search: z
    .strictObject({
      weights: z
        .strictObject({
          relevance: weightFields.relevance.default(DEFAULT_WEIGHTS.relevance),
          recency: weightFields.recency.default(DEFAULT_WEIGHTS.recency),
          importance: weightFields.importance.default(DEFAULT_WEIGHTS.importance),
        })
        .refine((w) => w.relevance + w.recency + w.importance > 0, {
          error: 'all weights are 0 (give at least one of relevance, recency, importance a value > 0)',
        })
        .prefault({}),
      halfLifeDays: searchFields.halfLifeDays.default(30),
      candidates: searchFields.candidates.default(50),
      keywordWeight: searchFields.keywordWeight.default(0.3),
      defaultLimit: searchFields.defaultLimit.default(10),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxTextChars: limitsFields.maxTextChars.default(DEFAULT_LIMITS.maxTextChars),
      maxMessages: limitsFields.maxMessages.default(DEFAULT_LIMITS.maxMessages),
      maxMetadataBytes: limitsFields.maxMetadataBytes.default(DEFAULT_LIMITS.maxMetadataBytes),
      maxFilterDepth: limitsFields.maxFilterDepth.default(DEFAULT_LIMITS.maxFilterDepth),
      maxFilterNodes: limitsFields.maxFilterNodes.default(DEFAULT_LIMITS.maxFilterNodes),
      maxFilterList: limitsFields.maxFilterList.default(DEFAULT_LIMITS.maxFilterList),
      maxMetadataDepth: limitsFields.maxMetadataDepth.default(DEFAULT_LIMITS.maxMetadataDepth),
    })
    .prefault({}),
  observe: z
    .strictObject({
      windowMessages: observeFields.windowMessages.default(50),
      windowMinutes: observeFields.windowMinutes.default(10),
      overlap: observeFields.overlap.default(5),
      maxWindowTokens: observeFields.maxWindowTokens.default(6000),
      includeBots: observeFields.includeBots.default(false),
      excludeSpeakers: observeFields.excludeSpeakers.default([]),
      skipPatterns: observeFields.skipPatterns.default([]),
      prices: observeFields.prices.default({}),
    })
    .prefault({}),
  graph: z
    .strictObject({
      enabled: graphFields.enabled.default(false),
      maxEntities: graphFields.maxEntities.default(20),
      maxRelations: graphFields.maxRelations.default(20),
      sameAbove: graphFields.sameAbove.default(0.92),
      askAbove: graphFields.askAbove.default(0.8),
    })
    .refine((g) => g.askAbove <= g.sameAbove, { error: 'graph.askAbove must not exceed graph.sameAbove' })
    .prefault({}),
  extraction: z
    .strictObject({
      contextMessages: nonNegativeInt().default(10),
      customInstructions: z.string({ error: 'expected a string' }).optional(),
      mode: extractionMode.default('single-pass'),
      prompts: promptOverrides.optional(),
    })
    .prefault({}),
  ...lifecycleBlocks,
});

/**
 * One layer of configuration (file, environment, code) before merging: every field optional,
 * no defaults, shorthand accepted. Unknown keys are errors, so typos are never ignored.
 */
export const engramConfigPatchSchema = z.strictObject({
  dbPath: nonEmptyString().optional(),
  store: z.strictObject({ ...storeFields, provider: nonEmptyString().optional() }).optional(),
  index: z.strictObject({ ...indexFields, provider: nonEmptyString().optional() }).optional(),
  tenant: nonEmptyString().optional(),
  embedder: embedderSpec(providerPatchSchema).optional(),
  llm: llmChain(providerPatchSchema).optional(),
  search: z
    .strictObject({
      weights: z
        .strictObject({
          relevance: weightFields.relevance.optional(),
          recency: weightFields.recency.optional(),
          importance: weightFields.importance.optional(),
        })
        .optional(),
      halfLifeDays: searchFields.halfLifeDays.optional(),
      candidates: searchFields.candidates.optional(),
      keywordWeight: searchFields.keywordWeight.optional(),
      defaultLimit: searchFields.defaultLimit.optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      maxTextChars: limitsFields.maxTextChars.optional(),
      maxMessages: limitsFields.maxMessages.optional(),
      maxMetadataBytes: limitsFields.maxMetadataBytes.optional(),
      maxFilterDepth: limitsFields.maxFilterDepth.optional(),
      maxFilterNodes: limitsFields.maxFilterNodes.optional(),
      maxFilterList: limitsFields.maxFilterList.optional(),
      maxMetadataDepth: limitsFields.maxMetadataDepth.optional(),
    })
    .optional(),
  observe: z
    .strictObject({
      windowMessages: observeFields.windowMessages.optional(),
      windowMinutes: observeFields.windowMinutes.optional(),
      overlap: observeFields.overlap.optional(),
      maxWindowTokens: observeFields.maxWindowTokens.optional(),
      includeBots: observeFields.includeBots.optional(),
      excludeSpeakers: observeFields.excludeSpeakers.optional(),
      skipPatterns: observeFields.skipPatterns.optional(),
      prices: observeFields.prices.optional(),
    })
    .optional(),
  graph: z
    .strictObject({
      enabled: graphFields.enabled.optional(),
      maxEntities: graphFields.maxEntities.optional(),
      maxRelations: graphFields.maxRelations.optional(),
      sameAbove: graphFields.sameAbove.optional(),
      askAbove: graphFields.askAbove.optional(),
    })
    .optional(),
  extraction: z
    .strictObject({
      contextMessages: nonNegativeInt().optional(),
      customInstructions: z.string({ error: 'expected a string' }).optional(),
      mode: extractionMode.optional(),
      prompts: promptOverrides.optional(),
    })
    .optional(),
  ...lifecyclePatches,
});

export type EngramConfig = z.output<typeof engramConfigSchema>;
export type EngramConfigPatch = z.output<typeof engramConfigPatchSchema>;
export type StoreSettings = z.output<typeof storeSettings>;
export type IndexSettings = z.output<typeof indexSettings>;
export type SearchWeights = EngramConfig['search']['weights'];
export type SearchConfig = EngramConfig['search'];
export type LimitsConfig = EngramConfig['limits'];
export type ExtractionConfig = EngramConfig['extraction'];
export type GraphConfig = EngramConfig['graph'];
export type ObserveConfig = EngramConfig['observe'];
export type ExtractionMode = ExtractionConfig['mode'];

/** A model as code and files may give it: "provider:model" or settings (partial when layering). */
export type ModelSpec = string | Partial<ProviderSettings>;

/** What callers pass: every field optional, model ids as strings, one LLM or a chain. */
export interface EngramConfigInput {
  /** The SQLite file (shorthand for store: {provider: 'sqlite', path}). */
  dbPath?: string | undefined;
  /** The store backend and its settings; default SQLite at dbPath. */
  store?: Partial<StoreSettings> | undefined;
  /** A derived vector index (Qdrant, Chroma) for the vector leg of search. */
  index?: Partial<IndexSettings> | undefined;
  tenant?: string | undefined;
  /** null: no embedder, search is keyword-only. */
  embedder?: ModelSpec | null | undefined;
  /** A fallback chain; null or [] means no LLM is configured. */
  llm?: ModelSpec | readonly ModelSpec[] | null | undefined;
  search?:
    | {
        weights?: Partial<SearchWeights> | undefined;
        halfLifeDays?: number | undefined;
        candidates?: number | undefined;
        keywordWeight?: number | undefined;
        defaultLimit?: number | undefined;
      }
    | undefined;
  limits?: Partial<LimitsConfig> | undefined;
  extraction?: Partial<ExtractionConfig> | undefined;
  graph?: Partial<GraphConfig> | undefined;
  observe?: Partial<ObserveConfig> | undefined;
  audit?: Partial<EngramConfig['audit']> | undefined;
  retention?: Partial<EngramConfig['retention']> | undefined;
  safety?:
    | {
        instructions?: EngramConfig['safety']['instructions'];
        redact?: Partial<EngramConfig['safety']['redact']>;
      }
    | undefined;
  consolidation?: Partial<EngramConfig['consolidation']> | undefined;
}

/** Allowed keys per object path, for "did you mean" hints on unknown keys. */
export const CONFIG_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(engramConfigPatchSchema.shape),
  provider: Object.keys(providerFields),
  store: Object.keys(storeFields),
  index: Object.keys(indexFields),
  search: ['weights', ...Object.keys(searchFields)],
  'search.weights': Object.keys(weightFields),
  limits: Object.keys(limitsFields),
  extraction: ['contextMessages', 'customInstructions', 'mode', 'prompts'],
  graph: Object.keys(graphFields),
  observe: Object.keys(observeFields),
  'extraction.prompts': ['extract', 'reconcile', 'singlePass'],
  ...LIFECYCLE_KEYS,
};

// Compile-time guard: the resolved entries are exactly what the provider registry consumes.
type Assert<T extends true> = T;
type _ProviderEntriesMatchSpec = Assert<
  EngramConfig['llm'][number] extends ProviderSettings
    ? ProviderSettings extends EngramConfig['llm'][number]
      ? true
      : false
    : false
>;
