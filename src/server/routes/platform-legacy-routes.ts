import type { Context } from 'hono';
import { Hono } from 'hono';
import { z } from 'zod';
import type { MemoryItem } from '../../memory/api-types.js';
import type { AppEnv } from '../app-env.js';
import { parseBody, parseQuery } from '../parse-input.js';
import {
  addBody,
  addedItem,
  listBody,
  MAX_PAGE_SIZE,
  pageLinks,
  pageQuery,
  platformItem,
  QUEUED_MESSAGE,
  refuse,
  runAdd,
  searchBody,
  searchSelection,
  selection,
} from './platform-shapes.js';

const format = { output_format: z.string().nullable().optional() };
const legacyAddBody = addBody.extend({ ...format, version: z.string().nullable().optional() });
const legacySearchBody = searchBody.extend(format);
const listQuery = pageQuery.extend({
  user_id: z.string().min(1).optional(),
  agent_id: z.string().min(1).optional(),
  run_id: z.string().min(1).optional(),
  app_id: z.string().optional(),
  start_date: z.string().optional(),
  end_date: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
  ...format,
});
/** Query filters of GET /v1/memories/ that engram does not parse from a query string. */
const QUERY_FILTERS = ['metadata', 'categories', 'keywords', 'fields'];

/** mem0's v1 memory item also names the run a session (v2 routes call it `session_id`). */
const legacyItem = (m: MemoryItem) => ({ ...platformItem(m), session_id: m.run_id });

/** mem0 answers v1 routes with a bare list unless `output_format: "v1.1"` asks for `{results}`. */
const v1 = <T>(results: T[], outputFormat: string | null | undefined) =>
  outputFormat === 'v1.1' ? { results } : results;

/**
 * The routes mem0ai clients before 3.x call (v1 add, list and search; v2 list and search), with
 * mem0's answer shapes: bare lists by default, `{results}` with `output_format: "v1.1"` (an add:
 * `{results, relations}` with `version: "v2"` too), and `{count, next, previous, results}` when
 * both `page` and `page_size` are given.
 */
export function platformLegacyRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.post('/v1/memories/', async (c) => {
    const body = await parseBody(c, legacyAddBody);
    const done = await runAdd(c.get('scoped'), body);
    const results =
      'queued' in done
        ? [{ message: QUEUED_MESSAGE, status: 'PENDING', ...done.queued }]
        : done.added.results.map(addedItem);
    // mem0 wraps an add's results only when both output_format v1.1 and version v2 are asked for.
    const wrapped = body.output_format === 'v1.1' && body.version === 'v2';
    return c.json(wrapped ? { results, relations: [] } : results);
  });

  app.get('/v1/memories/', async (c) => {
    const q = parseQuery(c, listQuery);
    const given = QUERY_FILTERS.filter((f) => c.req.query(f) !== undefined);
    refuse(
      given.map((f) => ({
        field: f,
        why: 'not read from the query string here; send it in filters to POST /v3/memories/',
      })),
    );
    const filters = selection({
      ...(q.user_id === undefined ? {} : { user_id: q.user_id }),
      ...(q.agent_id === undefined ? {} : { agent_id: q.agent_id }),
      ...(q.run_id === undefined ? {} : { run_id: q.run_id }),
      ...(q.app_id === undefined ? {} : { app_id: q.app_id }),
      ...(q.start_date === undefined ? {} : { start_date: q.start_date }),
      ...(q.end_date === undefined ? {} : { end_date: q.end_date }),
    });
    return c.json(await list(c, filters, q, q.output_format));
  });

  app.post('/v2/memories/', async (c) => {
    const q = parseQuery(c, pageQuery);
    const body = await parseBody(c, listBody);
    return c.json(await list(c, selection(body), q, undefined));
  });

  const search = async (c: Context<AppEnv>, bare: boolean) => {
    const body = await parseBody(c, legacySearchBody);
    const result = await searchSelection(c.get('scoped'), body);
    const results = result.results.map(legacyItem);
    return c.json(bare ? results : v1(results, body.output_format));
  };
  app.post('/v2/memories/search/', (c) => search(c, true));
  app.post('/v1/memories/search/', (c) => search(c, false));

  return app;
}

/** A numbered page when both page and page_size are given; otherwise the first `limit` memories. */
async function list(
  c: Context<AppEnv>,
  filters: ReturnType<typeof selection>,
  q: { page?: number | undefined; page_size?: number | undefined; limit?: number | undefined },
  outputFormat: string | null | undefined,
) {
  const paged = q.page !== undefined && q.page_size !== undefined;
  const pageSize = paged ? q.page_size! : (q.limit ?? 100);
  const page = paged ? q.page! : 1;
  const result = await c.get('scoped').getAll({ filters, limit: pageSize, offset: (page - 1) * pageSize });
  const results = result.results.map(legacyItem);
  if (!paged) return v1(results, outputFormat);
  return { count: result.total, ...pageLinks(c, page, pageSize, result.next_cursor !== null), results };
}
