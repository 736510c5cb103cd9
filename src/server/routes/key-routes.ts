import { Hono } from 'hono';
import { issueApiKey } from '../../memory/access/issue-api-key.js';
import { renderApiKey } from '../../memory/access/render-api-key.js';
import type { AppEnv } from '../app-env.js';
import { parseBody } from '../parse-input.js';
import { keyCreateBodySchema } from '../schemas.js';

/** Key management for an admin key, always within the admin key's own tenant. */
export function keyRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/keys', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Creating keys');
    const body = await parseBody(c, keyCreateBodySchema);
    const { key, record } = await issueApiKey(scoped.memory.keys, {
      tenant: scoped.principal.tenant,
      name: body.name ?? null,
      userId: body.user_id ?? null,
      agentId: body.agent_id ?? null,
      admin: body.admin ?? false,
    });
    return c.json({ ...renderApiKey(record), key }, 201);
  });

  app.get('/keys', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Listing keys');
    const keys = await scoped.memory.keys.listApiKeys(scoped.principal.tenant);
    return c.json({ results: keys.map(renderApiKey) });
  });

  app.delete('/keys/:id', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Revoking keys');
    const record = await scoped.memory.keys.revokeApiKey(
      scoped.principal.tenant,
      c.req.param('id'),
      new Date().toISOString(),
    );
    return c.json(renderApiKey(record));
  });

  return app;
}
