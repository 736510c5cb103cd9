import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ScopedMemory } from '../../memory/access/scoped-memory.js';
import type { Entity } from '../../memory/entities/list-entities.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { AppEnv } from '../app-env.js';
import { parseQuery } from '../parse-input.js';
import { APP_ID_WHY, pageLinks, pageQuery, platformItem, refuse } from './platform-shapes.js';

const TYPE_ORDER = ['user', 'agent', 'run'];
/** mem0's entity types and engram's scope field for each (a Map: `constructor` is no type). */
const SCOPE_FIELD = new Map([
  ['user', 'user_id'],
  ['agent', 'agent_id'],
  ['run', 'run_id'],
]);

/**
 * Users, agents and runs (mem0's entities) with active memories: the platform's paginated list,
 * one entity, an entity's memories, and deleting one; and the self-hosted server's `/entities`.
 */
export function platformEntityRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/v1/entities/', async (c) => {
    const { page = 1, page_size: pageSize = 100 } = parseQuery(c, pageQuery);
    const scoped = c.get('scoped');
    const all = await entities(scoped);
    const slice = all.slice((page - 1) * pageSize, page * pageSize);
    const count = (type: string) => all.filter((e) => e.type === type).length;
    return c.json({
      count: all.length,
      ...pageLinks(c, page, pageSize, page * pageSize < all.length),
      results: slice.map((e) => platformEntity(e, scoped)),
      total_users: count('user'),
      total_agents: count('agent'),
      total_apps: 0,
      total_runs: count('run'),
    });
  });

  app.get('/v2/entities/:type/:name/', async (c) => {
    const scoped = c.get('scoped');
    const type = entityType(c);
    const name = c.req.param('name');
    const found = (await entities(scoped)).find((e) => e.type === type && e.name === name);
    if (!found) {
      throw new MemoryError('not_found', `No ${type} "${name}" with active memories.`, {
        details: { type, name },
      });
    }
    return c.json([platformEntity(found, scoped)]);
  });

  app.get('/v1/memories/:type/:name/', async (c) => {
    const { page = 1, page_size: pageSize = 100 } = parseQuery(c, pageQuery);
    const field = SCOPE_FIELD.get(entityType(c))!;
    const result = await c.get('scoped').getAll({
      [field]: c.req.param('name'),
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return c.json({
      count: result.total,
      ...pageLinks(c, page, pageSize, result.next_cursor !== null),
      results: result.results.map(platformItem),
    });
  });

  const deleteEntity = async (c: Context<AppEnv>, message: string) => {
    await c.get('scoped').deleteEntity(entityType(c), c.req.param('name') ?? '');
    return c.json({ message });
  };
  app.delete('/v1/entities/:type/:name/', (c) => deleteEntity(c, 'Entity deleted successfully.'));
  app.delete('/v2/entities/:type/:name/', (c) => deleteEntity(c, 'Entity deleted successfully.'));

  // mem0's self-hosted server: a bare list, and delete without the trailing slash.
  app.get('/entities', async (c) =>
    c.json(
      (await entities(c.get('scoped'))).map((e) => ({
        id: e.name,
        type: e.type,
        total_memories: e.total,
        created_at: e.created,
        updated_at: e.updated,
      })),
    ),
  );
  app.delete('/entities/:type/:name', (c) => deleteEntity(c, 'Entity deleted'));

  return app;
}

/** The path's entity type; `app` is refused by name (engram has no app scope), others by the engine. */
function entityType(c: Context<AppEnv>): string {
  const type = c.req.param('type') ?? '';
  refuse(type === 'app' ? [{ field: 'app_id', why: APP_ID_WHY }] : []);
  if (!SCOPE_FIELD.has(type)) {
    throw new MemoryError('invalid_input', `Entity type must be user, agent or run, got "${type}".`, {
      details: { fields: [{ path: 'type', message: 'expected user, agent or run' }] },
    });
  }
  return type;
}

/** The key's entities in a stable order (users, agents, runs; by name), so pages neither skip nor repeat. */
async function entities(scoped: ScopedMemory): Promise<Entity[]> {
  const all = await scoped.memory.entities(scoped.principal.pin);
  return all.sort(
    (a, b) =>
      TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function platformEntity(e: Entity, scoped: ScopedMemory) {
  return {
    id: e.name,
    name: e.name,
    type: e.type,
    total_memories: e.total,
    owner: scoped.principal.tenant,
    metadata: null,
    created_at: e.created,
    updated_at: e.updated,
  };
}
