/** An API key as stored: only the sha256 of the secret is kept, never the secret itself. */
export interface ApiKeyRecord {
  id: string;
  tenant: string;
  name: string | null;
  /** First characters of the secret, for people to tell keys apart in listings. */
  prefix: string;
  /** When set, every call made with the key is confined to this user / agent. */
  userId: string | null;
  agentId: string | null;
  admin: boolean;
  createdAt: string;
  revokedAt: string | null;
}

export interface NewApiKey {
  id: string;
  tenant: string;
  /** Hex sha256 of the secret. */
  hash: string;
  prefix: string;
  name?: string | null;
  userId?: string | null;
  agentId?: string | null;
  admin: boolean;
  at: string;
}

export interface KeyStore {
  createApiKey(key: NewApiKey): Promise<ApiKeyRecord>;
  /** The live (not revoked) key with this secret hash, of any tenant. */
  findApiKey(hash: string): Promise<ApiKeyRecord | null>;
  /** Keys of one tenant (or all when null), revoked ones included, oldest first. */
  listApiKeys(tenant: string | null): Promise<ApiKeyRecord[]>;
  /** Revokes a key of this tenant (any tenant when null); not_found when there is none. */
  revokeApiKey(tenant: string | null, id: string, at: string): Promise<ApiKeyRecord>;
}
