import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { type MakeFixture, T, useStore } from './conformance-kit.js';

/** API keys: hashed lookup, tenant-bound listing and revocation. */
export function keyChecks(makeFixture: MakeFixture): void {
  const store = useStore(makeFixture);
  const key = (tenant: string, hash: string, extra: { userId?: string; admin?: boolean } = {}) => ({
    id: randomUUID(),
    tenant,
    hash,
    prefix: hash.slice(0, 8),
    name: `key of ${tenant}`,
    userId: extra.userId ?? null,
    agentId: null,
    admin: extra.admin ?? false,
    at: T,
  });

  it('creates a key and finds it by hash, with its pin and role', async () => {
    const created = await store().createApiKey(key('t1', 'a'.repeat(64), { userId: 'alice', admin: true }));
    expect(created).toMatchObject({
      tenant: 't1',
      userId: 'alice',
      agentId: null,
      admin: true,
      revokedAt: null,
    });
    expect(await store().findApiKey('a'.repeat(64))).toEqual(created);
    expect(await store().findApiKey('b'.repeat(64))).toBeNull();
  });

  it('refuses a second key with the same hash', async () => {
    await store().createApiKey(key('t1', 'c'.repeat(64)));
    await expect(store().createApiKey(key('t2', 'c'.repeat(64)))).rejects.toThrow();
  });

  it('lists keys per tenant and revokes only within the tenant', async () => {
    const a = await store().createApiKey(key('t1', 'd'.repeat(64)));
    const b = await store().createApiKey(key('t2', 'e'.repeat(64)));
    expect((await store().listApiKeys('t1')).map((k) => k.id)).toEqual([a.id]);
    expect((await store().listApiKeys(null)).map((k) => k.id)).toEqual([a.id, b.id]);
    await expect(store().revokeApiKey('t1', b.id, T)).rejects.toSatisfy((e) =>
      MemoryError.is(e, 'not_found'),
    );
    const revoked = await store().revokeApiKey('t1', a.id, '2024-02-01T00:00:00.000Z');
    expect(revoked.revokedAt).toBe('2024-02-01T00:00:00.000Z');
    expect(await store().findApiKey('d'.repeat(64))).toBeNull();
    expect(await store().findApiKey('e'.repeat(64))).not.toBeNull();
    expect((await store().listApiKeys('t1'))[0]?.revokedAt).toBe('2024-02-01T00:00:00.000Z');
  });
}
