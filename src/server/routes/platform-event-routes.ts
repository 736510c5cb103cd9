import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { eventItem } from './platform-shapes.js';

/**
 * `GET /v1/event/{id}/`: a queued add (`async_mode: true`) as mem0's event. The event id is the
 * job id; PENDING, RUNNING, SUCCEEDED and FAILED are the job's pending, running, done and dead.
 * A job outside the key's pin is 404, like an unknown id.
 */
export function platformEventRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get('/v1/event/:id/', async (c) => c.json(eventItem(await c.get('scoped').job(c.req.param('id')))));
  return app;
}
