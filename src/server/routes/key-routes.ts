import { Hono } from 'hono';
import type { ApiKeyRecord } from '../../spec/api-key.js';
import { issueApiKey } from '../api-key-secret.js';
import type { AppEnv } from '../app-env.js';
import { parseBody } from '../parse-input.js';
import { keyCreateBodySchema } from '../schemas.js';

export function renderKey(k: ApiKeyRecord) {
  return {
    id: k.id,
    tenant: k.tenant,
    name: k.name,
    prefix: k.prefix,
    user_id: k.userId,
    agent_id: k.agentId,
    admin: k.admin,
    created_at: k.createdAt,
    revoked_at: k.revokedAt,
  };
}

/** Key management for an admin key, always within the admin key's own tenant. */
export function keyRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/keys', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Creating keys');
    const body = await parseBody(c, keyCreateBodySchema);
    const store = await scoped.memory.store();
    const { key, record } = await issueApiKey(store, {
      tenant: scoped.principal.tenant,
      name: body.name ?? null,
      userId: body.user_id ?? null,
      agentId: body.agent_id ?? null,
      admin: body.admin ?? false,
    });
    return c.json({ ...renderKey(record), key }, 201);
  });

  app.get('/keys', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Listing keys');
    const store = await scoped.memory.store();
    return c.json({ results: (await store.listApiKeys(scoped.principal.tenant)).map(renderKey) });
  });

  app.delete('/keys/:id', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Revoking keys');
    const store = await scoped.memory.store();
    const record = await store.revokeApiKey(
      scoped.principal.tenant,
      c.req.param('id'),
      new Date().toISOString(),
    );
    return c.json(renderKey(record));
  });

  return app;
}
