import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ApiKeyRecord, KeyStore } from '../../spec/api-key.js';

const KEY_PREFIX = 'engram_';

/** sha256 of the secret, hex: the only form a key is stored in. */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export interface IssueKeyOptions {
  tenant: string;
  name?: string | null;
  userId?: string | null;
  agentId?: string | null;
  admin?: boolean;
  now?: Date;
}

/** Creates a key and returns its secret, which is shown once and never stored. */
export async function issueApiKey(
  store: KeyStore,
  options: IssueKeyOptions,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const key = `${KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const record = await store.createApiKey({
    id: randomUUID(),
    tenant: options.tenant,
    hash: hashApiKey(key),
    prefix: key.slice(0, KEY_PREFIX.length + 6),
    name: options.name ?? null,
    userId: options.userId ?? null,
    agentId: options.agentId ?? null,
    admin: options.admin ?? false,
    at: (options.now ?? new Date()).toISOString(),
  });
  return { key, record };
}
