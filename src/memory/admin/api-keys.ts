import type { KeyStore } from '../../spec/api-key.js';
import type { Store } from '../../spec/store.js';

/**
 * The engine's API keys, for the server's authentication and key management and for
 * `engram keys`. Keys are engine-wide: each call names its tenant (null: every tenant), as the
 * key contract does, because authentication has to find a key before it knows the tenant.
 */
export function apiKeys(open: () => Promise<Store>): KeyStore {
  return {
    createApiKey: async (key) => (await open()).createApiKey(key),
    findApiKey: async (hash) => (await open()).findApiKey(hash),
    listApiKeys: async (tenant) => (await open()).listApiKeys(tenant),
    revokeApiKey: async (tenant, id, at) => (await open()).revokeApiKey(tenant, id, at),
  };
}
