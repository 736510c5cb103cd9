import type { EngramConfig, StoreSettings } from '../config/engram-config.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Store } from '../spec/store.js';

/** Builds a store from its settings; may load the backend's driver lazily. */
export type StoreFactory = (settings: StoreSettings) => Promise<Store>;

const factories = new Map<string, StoreFactory>();

/**
 * Makes a backend available as `store: {provider: name, ...}` (and ENGRAM_STORE=name). Built-in
 * backends register below; a third-party store registers the same way before `new Memory()`.
 */
export function registerStore(name: string, factory: StoreFactory): void {
  factories.set(name.toLowerCase(), factory);
}

export function knownStores(): string[] {
  return [...factories.keys()].sort();
}

/** The store settings a config resolves to: `store`, else SQLite at `dbPath`. */
export function storeSettings(config: Pick<EngramConfig, 'dbPath' | 'store'>): StoreSettings {
  const store = config.store ?? { provider: 'sqlite' };
  if (store.provider.toLowerCase() === 'sqlite' && store.path === undefined) {
    return { ...store, path: config.dbPath };
  }
  return store;
}

/** Opens (but does not init) the configured store. Unknown provider: an error listing the known ones. */
export async function createStore(settings: StoreSettings): Promise<Store> {
  const factory = factories.get(settings.provider.toLowerCase());
  if (!factory) {
    throw new MemoryError(
      'invalid_config',
      `Unknown store provider "${settings.provider}". Known: ${knownStores().join(', ')}. Set config store.provider or ENGRAM_STORE to one of them.`,
      { details: { provider: settings.provider, known: knownStores() } },
    );
  }
  return factory(settings);
}

/** Settings a backend does not use are refused by name, never ignored. */
export function refuseUnused(settings: StoreSettings, used: readonly (keyof StoreSettings)[]): void {
  const unused = (Object.keys(settings) as (keyof StoreSettings)[]).filter(
    (key) => key !== 'provider' && settings[key] !== undefined && !used.includes(key),
  );
  if (unused.length > 0) {
    throw new MemoryError(
      'invalid_config',
      `The ${settings.provider} store does not use ${unused.map((k) => `store.${k}`).join(', ')}; remove ${unused.length === 1 ? 'it' : 'them'} or pick a store provider that uses ${unused.length === 1 ? 'it' : 'them'}.`,
      { details: { provider: settings.provider, unused } },
    );
  }
}

registerStore('sqlite', async (settings) => {
  refuseUnused(settings, ['path', 'readOnly', 'encryptionKey', 'encryptionKeyFile']);
  const { SqliteStore } = await import('./sqlite/sqlite-store.js');
  return new SqliteStore({
    path: settings.path ?? './engram.db',
    readOnly: settings.readOnly,
    encryptionKey: settings.encryptionKey,
    encryptionKeyFile: settings.encryptionKeyFile,
  });
});

registerStore('postgres', async (settings) => {
  refuseUnused(settings, ['url', 'schema', 'pool', 'language', 'readOnly']);
  if (settings.url === undefined) {
    throw new MemoryError(
      'invalid_config',
      'The postgres store needs a connection URL: set ENGRAM_PG_URL (or DATABASE_URL), or config store.url, to postgres://user:password@host:5432/database.',
      { details: { provider: 'postgres' } },
    );
  }
  const { PostgresStore } = await import('./postgres/pg-store.js');
  return new PostgresStore({
    url: settings.url,
    schema: settings.schema,
    pool: settings.pool,
    language: settings.language,
    readOnly: settings.readOnly,
  });
});
