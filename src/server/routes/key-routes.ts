import { Hono } from 'hono';
import { renderApiKey } from '../../memory/access/render-api-key.js';
import type { AppEnv } from '../app-env.js';
import { parseBody } from '../parse-input.js';
import { keyCreateBodySchema } from '../schemas.js';

/**
 * Key management for an admin key, always within the admin key's own tenant; a pinned admin only
 * within its pin (the rules are ScopedMemory's).
 */
export function keyRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/keys', async (c) => {
    const scoped = c.get('scoped');
    scoped.requireAdmin('Creating keys');
    const body = await parseBody(c, keyCreateBodySchema);
    const { key, record } = await scoped.createKey({
      name: body.name ?? null,
      userId: body.user_id ?? null,
      agentId: body.agent_id ?? null,
      admin: body.admin ?? false,
    });
    return c.json({ ...renderApiKey(record), key }, 201);
  });

  app.get('/keys', async (c) => c.json({ results: (await c.get('scoped').listKeys()).map(renderApiKey) }));

  app.delete('/keys/:id', async (c) =>
    c.json(renderApiKey(await c.get('scoped').revokeKey(c.req.param('id')))),
  );

  return app;
}
