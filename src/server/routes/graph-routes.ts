import { Hono } from 'hono';
import type { AppEnv } from '../app-env.js';
import { parseQuery } from '../parse-input.js';
import { graphNeighborsQuerySchema, graphRelationsQuerySchema, scopeQuerySchema } from '../schemas.js';

/**
 * The temporal graph of a scope, read-only (docs/graph.md): its entities, its relations (at a
 * world time, as known at a system time) and one entity's neighbourhood. Through ScopedMemory's
 * `graph`, so a key's pin applies as on every other route.
 */
export function graphRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/graph/entities', async (c) => {
    const q = parseQuery(c, scopeQuerySchema);
    return c.json(await c.get('scoped').graph.entities(q));
  });

  app.get('/graph/relations', async (c) => {
    const { as_of, known_at, ...rest } = parseQuery(c, graphRelationsQuerySchema);
    return c.json(await c.get('scoped').graph.relations({ ...rest, asOf: as_of, knownAt: known_at }));
  });

  app.get('/graph/neighbors', async (c) => {
    const { entity, as_of, known_at, ...rest } = parseQuery(c, graphNeighborsQuerySchema);
    return c.json(await c.get('scoped').graph.neighbors(entity, { ...rest, asOf: as_of, knownAt: known_at }));
  });

  return app;
}
