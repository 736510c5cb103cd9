import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import { MemoryError } from '../../spec/memory-error.js';
import type { WebhookRecord } from '../../webhooks/webhook-registry.js';
import type { AppEnv } from '../app-env.js';
import type { Mem0Platform } from '../mem0-platform.js';
import { parseBody } from '../parse-input.js';
import { requireUnpinned } from './platform-project-routes.js';

const webhookBody = z.looseObject({
  name: z.unknown().optional(),
  url: z.unknown().optional(),
  event_types: z.unknown().optional(),
  is_active: z.unknown().optional(),
});

/**
 * mem0's project webhooks: listed and created per project (the tenant), changed and deleted by
 * id. Each is told of memory_add / memory_update / memory_delete, signed with its own secret
 * (returned once, on create); see docs/mem0-compatibility.md. A webhook sees every scope of the
 * tenant, so a key pinned to one may not manage them.
 */
export function platformWebhookRoutes(platform: Mem0Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const registry = platform.webhooks.registry;

  app.get('/api/v1/webhooks/projects/:project/', async (c) => {
    const tenant = webhookTenant(c);
    return c.json((await registry.list(tenant)).map((h) => webhookView(h, tenant)));
  });

  app.post('/api/v1/webhooks/projects/:project/', async (c) => {
    const tenant = webhookTenant(c);
    const body = await parseBody(c, webhookBody);
    const hook = await registry.create(tenant, {
      name: body.name,
      url: body.url,
      eventTypes: body.event_types,
      active: body.is_active,
    });
    return c.json({ ...webhookView(hook, tenant), secret: hook.secret }, 201);
  });

  app.put('/api/v1/webhooks/:id/', async (c) => {
    const tenant = webhookTenant(c);
    const body = await parseBody(c, webhookBody);
    await registry.update(tenant, c.req.param('id'), {
      name: body.name,
      url: body.url,
      eventTypes: body.event_types,
      active: body.is_active,
    });
    return c.json({ message: 'Webhook updated successfully' });
  });

  app.delete('/api/v1/webhooks/:id/', async (c) => {
    await registry.remove(webhookTenant(c), c.req.param('id'));
    return c.json({ message: 'Webhook deleted successfully' });
  });

  return app;
}

/** The caller's tenant, after checking the key may manage webhooks and the path names its project. */
function webhookTenant(c: Context<AppEnv>): string {
  const scoped = c.get('scoped');
  requireUnpinned(scoped, 'Managing webhooks');
  const tenant = scoped.principal.tenant;
  const project = c.req.param('project');
  if (project !== undefined && project !== tenant) {
    throw new MemoryError('not_found', `No project ${project} for this API key.`, {
      details: { project_id: project },
    });
  }
  return tenant;
}

function webhookView(hook: WebhookRecord, tenant: string) {
  return {
    webhook_id: hook.id,
    name: hook.name,
    url: hook.url,
    event_types: hook.eventTypes,
    owner: tenant,
    project: tenant,
    is_active: hook.active,
    created_at: hook.createdAt,
    updated_at: hook.updatedAt,
  };
}
