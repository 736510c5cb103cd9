import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import type { Mem0Platform } from '../mem0-platform.js';
import { platformEntityRoutes } from './platform-entity-routes.js';
import { platformEventRoutes } from './platform-event-routes.js';
import { platformLegacyRoutes } from './platform-legacy-routes.js';
import { platformMemoryRoutes } from './platform-memory-routes.js';
import { platformProjectRoutes } from './platform-project-routes.js';
import { platformRefusedRoutes } from './platform-refused-routes.js';
import { platformServerRoutes } from './platform-server-routes.js';
import { platformWebhookRoutes } from './platform-webhook-routes.js';

/**
 * mem0's REST API as engram serves it (docs/mem0-compatibility.md): the platform routes the
 * `mem0ai` MemoryClient calls (3.x, and the v1/v2 routes older clients call), and the routes of
 * mem0's self-hosted server that the native API lacks. Order matters where paths overlap: the
 * refused routes come first (`/v1/memories/events/` is not the memory with id "events"), and
 * `/v1/memories/{id}/history/` is registered before `/v1/memories/{type}/{id}/`.
 */
export function platformRoutes(platform: Mem0Platform): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.route('/', platformRefusedRoutes());
  app.route('/', platformMemoryRoutes());
  app.route('/', platformLegacyRoutes());
  app.route('/', platformEventRoutes());
  app.route('/', platformEntityRoutes());
  app.route('/', platformProjectRoutes(platform));
  app.route('/', platformWebhookRoutes(platform));
  app.route('/', platformServerRoutes(platform));
  return app;
}
