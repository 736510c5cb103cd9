import {
  type EngramConfig,
  type EngramConfigPatch,
  engramConfigSchema,
  type ProviderPatch,
} from './engram-config.js';

/**
 * The configuration while layers are merged: like EngramConfig, but a provider entry may still
 * miss its provider or model (a later layer or the final validation decides).
 */
export type ConfigDraft = Omit<EngramConfig, 'embedder' | 'llm' | 'store' | 'index'> & {
  embedder: ProviderPatch | null;
  llm: ProviderPatch[];
  store?: NonNullable<EngramConfigPatch['store']>;
  index?: NonNullable<EngramConfigPatch['index']>;
};

/** Where each leaf value came from: "llm[0].baseUrl" → "env ENGRAM_LLM_BASE_URL". */
export type ConfigSources = Map<string, string>;

/** Names the source of a value by its config path. */
export type SourceLabel = (path: string) => string;

export function defaultDraft(sources: ConfigSources): ConfigDraft {
  // A copy: zod hands out its default objects themselves, and layers are merged into the draft.
  const draft: ConfigDraft = structuredClone(engramConfigSchema.parse({}));
  recordLeaves(draft, '', () => 'default', sources);
  return draft;
}

function recordLeaves(value: unknown, path: string, label: SourceLabel, sources: ConfigSources): void {
  if (Array.isArray(value)) {
    if (value.length === 0) sources.set(path, label(path));
    value.forEach((item, i) => {
      recordLeaves(item, `${path}[${i}]`, label, sources);
    });
  } else if (typeof value === 'object' && value !== null && !isStringRecord(path)) {
    for (const [key, child] of Object.entries(value)) {
      if (child !== undefined) recordLeaves(child, path ? `${path}.${key}` : key, label, sources);
    }
  } else {
    sources.set(path, label(path));
  }
}

/** `headers` is one value, not a section. */
function isStringRecord(path: string): boolean {
  return path.endsWith('.headers');
}

export function clearSources(sources: ConfigSources, prefix: string): void {
  for (const key of [...sources.keys()]) {
    if (key === prefix || key.startsWith(`${prefix}.`) || key.startsWith(`${prefix}[`)) sources.delete(key);
  }
}

/**
 * The source of the value at `path`: its own, else that of its nearest enclosing entry (a
 * missing `llm[0].model` is blamed on whoever wrote `llm[0]`). Defaults are not named.
 */
export function sourceAt(sources: ConfigSources, path: string): string | undefined {
  for (let p = path; p; p = parentPath(p)) {
    const found = new Set<string>();
    const own = sources.get(p);
    if (own) found.add(own);
    else {
      for (const [key, label] of sources) {
        if (key.startsWith(`${p}.`) || key.startsWith(`${p}[`)) found.add(label);
      }
    }
    if (found.size > 0) {
      found.delete('default');
      return found.size > 0 ? [...found].join(', ') : undefined;
    }
  }
  return undefined;
}

function parentPath(path: string): string {
  return /^(.*?)(\.[^.[\]]+|\[\d+\])$/.exec(path)?.[1] ?? '';
}

function defined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Merges one provider entry onto the previous one at the same place. Same provider (or none
 * named): settings are kept and overridden field by field, so an earlier baseUrl or apiKey
 * survives a model change; `dimensions` belongs to the model and is dropped when it changes.
 * Another provider: the entry is replaced.
 */
function mergeProvider(
  prev: ProviderPatch | null | undefined,
  next: ProviderPatch,
  path: string,
  label: SourceLabel,
  sources: ConfigSources,
): ProviderPatch {
  const patch = defined(next);
  let merged: ProviderPatch;
  if (prev && (patch.provider === undefined || patch.provider === prev.provider)) {
    merged = { ...prev, ...patch };
    if (patch.model !== undefined && patch.model !== prev.model && patch.dimensions === undefined) {
      delete merged.dimensions;
      sources.delete(`${path}.dimensions`);
    }
  } else {
    clearSources(sources, path);
    merged = patch;
  }
  recordLeaves(patch, path, label, sources);
  return merged;
}

/** Applies one validated layer onto the draft, later layers winning. */
export function applyPatch(
  draft: ConfigDraft,
  patch: EngramConfigPatch,
  label: SourceLabel,
  sources: ConfigSources,
  warnings: string[],
): void {
  if (patch.dbPath !== undefined) draft.dbPath = patch.dbPath;
  if (patch.tenant !== undefined) draft.tenant = patch.tenant;
  recordLeaves(defined({ dbPath: patch.dbPath, tenant: patch.tenant }), '', label, sources);

  if (patch.store !== undefined) {
    const next = defined(patch.store);
    const prev = draft.store;
    // Another backend replaces the settings; the same one (or none named) refines them.
    draft.store =
      prev && (next.provider === undefined || next.provider === prev.provider) ? { ...prev, ...next } : next;
    if (prev && next.provider !== undefined && next.provider !== prev.provider)
      clearSources(sources, 'store');
    recordLeaves(next, 'store', label, sources);
  }

  if (patch.index !== undefined) {
    const next = defined(patch.index);
    const prev = draft.index;
    draft.index =
      prev && (next.provider === undefined || next.provider === prev.provider) ? { ...prev, ...next } : next;
    if (prev && next.provider !== undefined && next.provider !== prev.provider)
      clearSources(sources, 'index');
    recordLeaves(next, 'index', label, sources);
  }

  if (patch.embedder === null) {
    draft.embedder = null;
    clearSources(sources, 'embedder');
    sources.set('embedder', label('embedder'));
  } else if (patch.embedder !== undefined) {
    const next = patch.embedder;
    if (draft.embedder === null && next.provider === undefined && next.model === undefined) {
      warnings.push(`embedder settings from ${label('embedder')} are ignored: no embedder is configured`);
    } else {
      draft.embedder = mergeProvider(draft.embedder, next, 'embedder', label, sources);
    }
  }

  if (patch.llm !== undefined) {
    const prev = draft.llm;
    draft.llm = patch.llm.map((entry, i) => mergeProvider(prev[i], entry, `llm[${i}]`, label, sources));
    for (let i = draft.llm.length; i < prev.length; i++) clearSources(sources, `llm[${i}]`);
    if (draft.llm.length === 0) {
      clearSources(sources, 'llm');
      sources.set('llm', label('llm'));
    } else {
      sources.delete('llm');
    }
  }

  const { search, limits, extraction, graph, observe } = patch;
  if (observe) {
    Object.assign(draft.observe, defined(observe));
    recordLeaves(observe, 'observe', label, sources);
  }
  if (graph) {
    Object.assign(draft.graph, defined(graph));
    recordLeaves(graph, 'graph', label, sources);
  }
  if (search) {
    const { weights, ...rest } = search;
    if (weights) draft.search.weights = { ...draft.search.weights, ...defined(weights) };
    Object.assign(draft.search, defined(rest));
    recordLeaves(defined({ ...rest, weights }), 'search', label, sources);
  }
  if (limits) {
    Object.assign(draft.limits, defined(limits));
    recordLeaves(limits, 'limits', label, sources);
  }
  if (extraction) {
    Object.assign(draft.extraction, defined(extraction));
    recordLeaves(extraction, 'extraction', label, sources);
  }
  const { audit, retention, safety, consolidation } = patch;
  for (const [name, block] of [
    ['audit', audit],
    ['retention', retention],
    ['consolidation', consolidation],
  ] as const) {
    if (!block) continue;
    Object.assign(draft[name], defined(block));
    recordLeaves(block, name, label, sources);
  }
  if (safety) {
    const { redact, ...rest } = safety;
    if (redact) draft.safety.redact = { ...draft.safety.redact, ...defined(redact) };
    Object.assign(draft.safety, defined(rest));
    recordLeaves(defined({ ...rest, redact }), 'safety', label, sources);
  }
}
