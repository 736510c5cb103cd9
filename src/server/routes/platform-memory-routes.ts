import { Hono } from 'hono';
import { z } from 'zod';
import type { Metadata } from '../../spec/memory-record.js';
import type { AppEnv } from '../app-env.js';
import { HttpError } from '../http-error.js';
import { parseBody, parseQuery } from '../parse-input.js';
import {
  APP_ID_WHY,
  addBody,
  addedItem,
  listBody,
  metadataSchema,
  pageLinks,
  pageQuery,
  pickFields,
  platformItem,
  QUEUED_MESSAGE,
  refuse,
  runAdd,
  searchBody,
  searchSelection,
  selection,
} from './platform-shapes.js';

const updateBody = z.looseObject({
  text: z.string().min(1).optional(),
  metadata: metadataSchema.nullable().optional(),
  timestamp: z.union([z.number(), z.string()]).optional(),
  expiration_date: z.string().nullable().optional(),
});
const scopeQuery = z.looseObject({
  user_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  run_id: z.string().min(1).optional(),
  app_id: z.string().optional(),
});
const deleteQuery = z.looseObject({ delete_linked: z.enum(['true', 'false']).optional() });
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

/**
 * The memory routes of mem0's platform API as the `mem0ai` MemoryClient 3.x calls them. Paths keep
 * mem0's trailing slashes. Adds run synchronously unless `async_mode: true` is sent explicitly:
 * engram is local, and a client that reads right after it writes should see its memories.
 */
export function platformMemoryRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/v3/memories/add/', async (c) => {
    const done = await runAdd(c.get('scoped'), await parseBody(c, addBody));
    if ('queued' in done) return c.json({ message: QUEUED_MESSAGE, status: 'PENDING', ...done.queued });
    return c.json({ results: done.added.results.map(addedItem), status: 'SUCCEEDED' });
  });

  app.post('/v3/memories/', async (c) => {
    const { page = 1, page_size: pageSize = 100 } = parseQuery(c, pageQuery);
    const body = await parseBody(c, listBody);
    const filters = selection(body);
    // One query whatever the page number (walking cursor pages let one request hold the process).
    const result = await c.get('scoped').getAll({
      filters,
      limit: pageSize,
      offset: (page - 1) * pageSize,
      ...(body.show_expired === undefined ? {} : { showExpired: body.show_expired }),
    });
    return c.json({
      count: result.total,
      ...pageLinks(c, page, pageSize, result.next_cursor !== null),
      results: result.results.map(platformItem),
    });
  });

  app.post('/v3/memories/search/', async (c) => {
    const body = await parseBody(c, searchBody);
    const result = await searchSelection(c.get('scoped'), body);
    return c.json({ results: result.results.map((m) => pickFields(platformItem(m), body.fields)) });
  });

  app.get('/v1/memories/:id/', async (c) =>
    c.json(platformItem(await c.get('scoped').get(c.req.param('id')))),
  );

  app.put('/v1/memories/:id/', async (c) => {
    const body = await parseBody(c, updateBody);
    refuse(
      body.timestamp !== undefined && body.text === undefined
        ? [{ field: 'timestamp', why: 'engram dates a change of text (its world time); send text with it' }]
        : [],
    );
    if (body.text === undefined && !body.metadata && body.expiration_date === undefined) {
      throw new HttpError(400, 'invalid_input', 'Give text, metadata and/or expiration_date to update.', {
        details: {
          fields: [{ path: 'text', message: 'required when metadata and expiration_date are absent' }],
        },
      });
    }
    const item = await c.get('scoped').update(c.req.param('id'), {
      ...(body.text === undefined ? {} : { text: body.text }),
      ...(body.metadata ? { metadata: body.metadata as Metadata } : {}),
      ...(body.expiration_date === undefined ? {} : { expirationDate: body.expiration_date }),
      ...(body.timestamp === undefined
        ? {}
        : { eventTime: typeof body.timestamp === 'number' ? body.timestamp * 1000 : body.timestamp }),
    });
    return c.json(platformItem(item));
  });

  app.delete('/v1/memories/:id/', async (c) => {
    const { delete_linked: linked } = parseQuery(c, deleteQuery);
    refuse(
      linked === 'true'
        ? [
            {
              field: 'delete_linked',
              why: 'engram keeps what a memory superseded as its history; delete those ids explicitly',
            },
          ]
        : [],
    );
    await c.get('scoped').delete(c.req.param('id'));
    return c.json({ message: 'Memory deleted successfully!' });
  });

  app.delete('/v1/memories/', async (c) => {
    const { app_id: appId, ...q } = parseQuery(c, scopeQuery);
    refuse(appId === undefined ? [] : [{ field: 'app_id', why: APP_ID_WHY }]);
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
