import type { IndexSettings } from '../config/engram-config.js';
import { MemoryError } from '../spec/memory-error.js';
import type { VectorIndex } from '../spec/vector-index.js';

/** Builds a derived index from its settings; loads the engine's client lazily. */
export type IndexFactory = (settings: IndexSettings) => Promise<VectorIndex>;

const factories = new Map<string, IndexFactory>();
const DEFAULT_COLLECTION = 'engram';
/**
 * Each request to the index, search included: a hung index must not hang search (it falls back
 * to the store's vectors), while a batch of 256 points still fits comfortably.
 */
const DEFAULT_TIMEOUT_MS = 5000;

/** Makes an engine available as `index: {provider: name, ...}` (and ENGRAM_INDEX=name). */
export function registerIndex(name: string, factory: IndexFactory): void {
  factories.set(name.toLowerCase(), factory);
}

export function knownIndexes(): string[] {
  return [...factories.keys()].sort();
}

/** Opens the configured index. Unknown provider: an error listing the known ones. */
export async function createIndex(settings: IndexSettings): Promise<VectorIndex> {
  const factory = factories.get(settings.provider.toLowerCase());
  if (!factory) {
    throw new MemoryError(
      'invalid_config',
      `Unknown index provider "${settings.provider}". Known: ${knownIndexes().join(', ')}. Set config index.provider or ENGRAM_INDEX to one of them, or remove index to search with the store's own vectors.`,
      { details: { provider: settings.provider, known: knownIndexes() } },
    );
  }
  return factory(settings);
}

/** Settings an index does not use are refused by name, never ignored; a URL is required. */
function check(settings: IndexSettings, used: readonly (keyof IndexSettings)[]): string {
  const unused = (Object.keys(settings) as (keyof IndexSettings)[]).filter(
    (key) => key !== 'provider' && settings[key] !== undefined && !used.includes(key),
  );
  if (unused.length > 0) {
    throw new MemoryError(
      'invalid_config',
      `The ${settings.provider} index does not use ${unused.map((k) => `index.${k}`).join(', ')}; remove ${unused.length === 1 ? 'it' : 'them'}.`,
      { details: { provider: settings.provider, unused } },
    );
  }
  if (settings.url === undefined) {
    throw new MemoryError(
      'invalid_config',
      `The ${settings.provider} index needs the server's URL: set config index.url or ENGRAM_INDEX_URL (for example ${settings.provider === 'qdrant' ? 'http://localhost:6333' : 'http://localhost:8000'}).`,
      { details: { provider: settings.provider } },
    );
  }
  return settings.url;
}

registerIndex('qdrant', async (settings) => {
  const url = check(settings, ['url', 'apiKey', 'collection', 'timeoutMs']);
  const { QdrantIndex } = await import('./qdrant/qdrant-index.js');
  return QdrantIndex.open({
    url,
    apiKey: settings.apiKey,
    collection: settings.collection ?? DEFAULT_COLLECTION,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
});

registerIndex('chroma', async (settings) => {
  const url = check(settings, ['url', 'collection', 'timeoutMs']);
  const { ChromaIndex } = await import('./chroma/chroma-index.js');
  return ChromaIndex.open({
    url,
    collection: settings.collection ?? DEFAULT_COLLECTION,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
});
