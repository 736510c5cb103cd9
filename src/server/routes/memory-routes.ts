import { type Context, Hono } from 'hono';
import type { AddOptions } from '../../memory/api-types.js';
import type { Filter } from '../../spec/filter.js';
import type { Metadata } from '../../spec/memory-record.js';
import type { AppEnv } from '../app-env.js';
import { parseBody, parseQuery } from '../parse-input.js';
import {
  addBodySchema,
  eraseBodySchema,
  getQuerySchema,
  listQuerySchema,
  scopeQuerySchema,
  searchBodySchema,
  updateBodySchema,
} from '../schemas.js';

/**
 * The native REST API. Its paths and bodies are mem0's OSS server routes (so mem0 REST users
 * switch by changing the URL), extended with engram's fields: async, idempotency_key,
 * event_time, cursor pages, explain, as_of / known_at (versions), GET /memories/{id}/versions and
 * GET /jobs/{id}.
 */
export function memoryRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/memories', async (c) => {
    const body = await parseBody(c, addBodySchema);
    const options: AddOptions = {
      user_id: body.user_id,
      agent_id: body.agent_id,
      run_id: body.run_id,
      metadata: body.metadata as Metadata | undefined,
      infer: body.infer,
      eventTime: body.event_time,
      memoryType: body.memory_type,
      importance: body.importance,
    };
    const scoped = c.get('scoped');
    if (body.async ?? body.async_mode ?? false) {
      const queued = await scoped.enqueueAdd(body.messages, options, {
        idempotencyKey: body.idempotency_key,
      });
      return c.json(queued, 202);
    }
    return c.json(await scoped.add(body.messages, options));
  });

  app.get('/memories', async (c) => {
    const { top_k: topK, ...q } = parseQuery(c, listQuerySchema);
    return c.json(await c.get('scoped').getAll({ ...q, ...(topK === undefined ? {} : { topK }) }));
  });

  app.delete('/memories', async (c) => {
    const q = parseQuery(c, scopeQuerySchema);
    return c.json(await c.get('scoped').deleteAll(q));
  });

  app.get('/memories/:id', async (c) => {
    const q = parseQuery(c, getQuerySchema);
    return c.json(
      await c.get('scoped').get(c.req.param('id'), {
        ...(q.as_of === undefined ? {} : { asOf: q.as_of }),
        ...(q.known_at === undefined ? {} : { knownAt: q.known_at }),
      }),
    );
  });

  app.get('/memories/:id/versions', async (c) => c.json(await c.get('scoped').versions(c.req.param('id'))));

  const update = async (c: Context<AppEnv>) => {
    const body = await parseBody(c, updateBodySchema);
    const text = body.text ?? body.data;
    return c.json(
      await c.get('scoped').update(c.req.param('id') ?? '', {
        ...(text === undefined ? {} : { text }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata as Metadata }),
        ...(body.replace_metadata === undefined ? {} : { replaceMetadata: body.replace_metadata }),
        ...(body.event_time === undefined ? {} : { eventTime: body.event_time }),
      }),
    );
  };
  app.put('/memories/:id', update);
  app.patch('/memories/:id', update);

  app.delete('/memories/:id', async (c) => c.json(await c.get('scoped').delete(c.req.param('id'))));

  app.get('/memories/:id/history', async (c) => c.json(await c.get('scoped').history(c.req.param('id'))));

  app.post('/search', async (c) => {
    const body = await parseBody(c, searchBodySchema);
    const { query, filters, as_of, known_at, top_k: topK, ...rest } = body;
    return c.json(
      await c.get('scoped').search(query, {
        ...rest,
        ...(topK === undefined ? {} : { topK }),
        filters: filters as Filter | undefined,
        asOf: as_of,
        knownAt: known_at,
      }),
    );
  });

  app.post('/reset', async (c) => c.json(await c.get('scoped').reset()));

  app.post('/erase', async (c) => {
    const { confirm: _confirmed, ...scope } = await parseBody(c, eraseBodySchema);
    return c.json(await c.get('scoped').erase(scope));
  });

  app.get('/jobs/:id', async (c) => c.json(await c.get('scoped').job(c.req.param('id'))));

  return app;
}
