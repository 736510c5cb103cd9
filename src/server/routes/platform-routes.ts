import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { jsonObjectSchema } from '../../memory/access/json-object-schema.js';
import type { ScopedMemory } from '../../memory/access/scoped-memory.js';
import type { AddOptions, MemoryItem } from '../../memory/api-types.js';
import type { Filter } from '../../spec/filter.js';
import type { Metadata } from '../../spec/memory-record.js';
import type { AppEnv } from '../app-env.js';
import { HttpError } from '../http-error.js';
import { parseBody, parseQuery } from '../parse-input.js';
import { messageSchema } from '../schemas.js';

// mem0's platform bodies carry many optional fields engram has no use for; they are accepted and ignored.
const addBody = z.looseObject({
  messages: z.union([z.string().min(1), z.array(messageSchema).min(1)]),
  user_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  run_id: z.string().min(1).optional(),
  metadata: jsonObjectSchema('Free JSON object stored with the memory.').nullable().optional(),
  infer: z.boolean().optional(),
  async_mode: z.boolean().optional(),
  timestamp: z.number().optional().describe('Epoch seconds.'),
});
const listBody = z.looseObject({ filters: jsonObjectSchema('mem0 filter').optional() });
/** Numbered pages are read with one OFFSET query; these caps bound what one request can ask for. */
const MAX_PAGE_SIZE = 1000;
const MAX_PAGE = 1_000_000;
const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});
const searchBody = z.looseObject({
  query: z.string().min(1),
  filters: jsonObjectSchema('mem0 filter').optional(),
  top_k: z.number().int().min(1).max(1000).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  threshold: z.number().min(0).max(1).nullable().optional(),
});
const updateBody = z.looseObject({
  text: z.string().min(1).optional(),
  metadata: jsonObjectSchema('Free JSON object stored with the memory.').nullable().optional(),
});
const scopeQuery = z.looseObject({
  user_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  run_id: z.string().min(1).optional(),
});
const batchUpdate = z.object({
  memories: z
    .array(z.object({ memory_id: z.string().min(1), text: z.string().min(1) }))
    .min(1)
    .max(1000),
});
const batchDelete = z.object({
  memories: z
    .array(z.object({ memory_id: z.string().min(1) }))
    .min(1)
    .max(1000),
});

/** A memory as the mem0 platform returns it (engram's item already uses its field names). */
function platformItem(item: MemoryItem) {
  return { ...item, app_id: null, expiration_date: null };
}

/**
 * The mem0 platform routes the `mem0ai` MemoryClient calls (mem0ai 3.3.x), so its users switch
 * by pointing `host` at engram. Paths keep mem0's trailing slashes. Adds run synchronously
 * unless `async_mode: true` is sent explicitly: engram is local, and a client that reads right
 * after it writes should see its memories.
 */
export function platformRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get('/v1/ping/', (c) => {
    const p = c.get('scoped').principal;
    return c.json({
      status: 'ok',
      message: 'engram',
      org_id: null,
      project_id: null,
      user_email: null,
      tenant: p.tenant,
    });
  });

  app.post('/v3/memories/add/', async (c) => {
    const body = await parseBody(c, addBody);
    const options: AddOptions = {
      user_id: body.user_id,
      agent_id: body.agent_id,
      run_id: body.run_id,
      metadata: (body.metadata ?? undefined) as Metadata | undefined,
      infer: body.infer,
      eventTime: body.timestamp === undefined ? undefined : body.timestamp * 1000,
    };
    const scoped = c.get('scoped');
    if (body.async_mode === true) {
      const queued = await scoped.enqueueAdd(body.messages, options, {});
      return c.json({
        results: [
          {
            message: 'Memory processing has been queued for background execution',
            status: 'PENDING',
            event_id: queued.job_id,
          },
        ],
      });
    }
    const added = await scoped.add(body.messages, options);
    return c.json({
      results: added.results.map((r) => ({
        id: r.id,
        event: r.event,
        memory: r.memory,
        data: { memory: r.memory },
      })),
    });
  });

  app.post('/v3/memories/', async (c) => {
    const { page = 1, page_size: pageSize = 100 } = parseQuery(c, pageQuery);
    const body = await parseBody(c, listBody);
    // One query whatever the page number (walking cursor pages let one request hold the process).
    const result = await c.get('scoped').getAll({
      filters: body.filters as Filter | undefined,
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    const url = new URL(c.req.url);
    const link = (p: number) => {
      url.searchParams.set('page', String(p));
      url.searchParams.set('page_size', String(pageSize));
      return url.toString();
    };
    return c.json({
      count: result.total,
      next: result.next_cursor === null ? null : link(page + 1),
      previous: page > 1 ? link(page - 1) : null,
      results: result.results.map(platformItem),
    });
  });

  app.post('/v3/memories/search/', async (c) => {
    const body = await parseBody(c, searchBody);
    const result = await c.get('scoped').search(body.query, {
      filters: body.filters as Filter | undefined,
      limit: body.top_k ?? body.limit,
      threshold: body.threshold ?? undefined,
    });
    return c.json({ results: result.results.map(platformItem) });
  });

  app.get('/v1/memories/:id/', async (c) =>
    c.json(platformItem(await c.get('scoped').get(c.req.param('id')))),
  );

  app.put('/v1/memories/:id/', async (c) => {
    const body = await parseBody(c, updateBody);
    if (body.text === undefined && (body.metadata === undefined || body.metadata === null)) {
      throw new HttpError(400, 'invalid_input', 'Give text and/or metadata to update.', {
        details: { fields: [{ path: 'text', message: 'required when metadata is absent' }] },
      });
    }
    const item = await c.get('scoped').update(c.req.param('id'), {
      ...(body.text === undefined ? {} : { text: body.text }),
      ...(body.metadata ? { metadata: body.metadata as Metadata } : {}),
    });
    return c.json(platformItem(item));
  });

  app.delete('/v1/memories/:id/', async (c) => {
    await c.get('scoped').delete(c.req.param('id'));
    return c.json({ message: 'Memory deleted successfully!' });
  });

  app.delete('/v1/memories/', async (c) => {
    const q = parseQuery(c, scopeQuery);
    const result = await c.get('scoped').deleteAll(q);
    return c.json({ message: 'Memories deleted successfully!', deleted: result.deleted });
  });

  app.get('/v1/memories/:id/history/', async (c) => {
    const id = c.req.param('id');
    // engram lists history newest first; mem0's platform API (and its client) list it oldest first.
    const entries = [...(await c.get('scoped').history(id))].reverse();
    return c.json(
      entries.map((h) => ({
        id: String(h.id),
        memory_id: h.memory_id,
        input: [],
        old_memory: h.old_memory,
        new_memory: h.new_memory,
        event: h.event,
        categories: [],
        created_at: h.created_at,
        updated_at: h.created_at,
      })),
    );
  });

  app.get('/v1/entities/', async (c) => c.json(await listEntities(c.get('scoped'))));

  const deleteEntity = async (c: Context<AppEnv>) => {
    await c.get('scoped').deleteEntity(c.req.param('type') ?? '', c.req.param('name') ?? '');
    return c.json({ message: 'Entity deleted successfully.' });
  };
  app.delete('/v1/entities/:type/:name/', deleteEntity);
  app.delete('/v2/entities/:type/:name/', deleteEntity);

  // All or nothing: every id is checked (exists, within the pin) before anything changes; see docs/server.md.
  app.put('/v1/batch/', async (c) => {
    const body = await parseBody(c, batchUpdate);
    await c.get('scoped').updateMany(body.memories.map((m) => ({ id: m.memory_id, edit: { text: m.text } })));
    return c.json({ message: `Successfully updated ${body.memories.length} memories` });
  });

  app.delete('/v1/batch/', async (c) => {
    const body = await parseBody(c, batchDelete);
    await c.get('scoped').deleteMany(body.memories.map((m) => m.memory_id));
    return c.json({ message: `Successfully deleted ${body.memories.length} memories` });
  });

  return app;
}

/** Users, agents and runs that have active memories, with counts (mem0's "entities"). */
async function listEntities(scoped: ScopedMemory) {
  const entities = await scoped.memory.entities(scoped.principal.pin);
  const results = entities.map((e) => ({
    id: e.name,
    name: e.name,
    type: e.type,
    total_memories: e.total,
    owner: scoped.principal.tenant,
    created_at: e.created,
    updated_at: e.updated,
  }));
  return { count: results.length, next: null, previous: null, results };
}
