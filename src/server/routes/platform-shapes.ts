import type { Context } from 'hono';
import { z } from 'zod';
import { jsonObjectSchema } from '../../memory/access/json-object-schema.js';
import type { ScopedMemory } from '../../memory/access/scoped-memory.js';
import type { AddOptions, AddResult, JobItem, MemoryItem } from '../../memory/api-types.js';
import type { Filter } from '../../spec/filter.js';
import type { Metadata } from '../../spec/memory-record.js';
import { HttpError } from '../http-error.js';
import { messageSchema } from '../schemas.js';

/*
 * What the mem0 routes share: mem0's request fields mapped onto engram's options, and engram's
 * answers in mem0's shapes. mem0's bodies carry many optional fields: those that only tune
 * ranking or the answer's format are accepted and ignored; those that would change what is
 * stored or matched and that engram cannot honour are refused by name (400 unsupported_field).
 */

export const metadataSchema = jsonObjectSchema('Free JSON object stored with the memory.');
export const filtersSchema = jsonObjectSchema('mem0 filter');
const entityId = z.string().min(1);

/** Numbered pages are read with one OFFSET query; these caps bound what one request can ask for. */
export const MAX_PAGE_SIZE = 1000;
export const pageQuery = z.looseObject({
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
  page_size: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).optional(),
});

export const addBody = z.looseObject({
  messages: z.union([z.string().min(1), z.array(messageSchema).min(1)]),
  user_id: entityId.optional(),
  agent_id: entityId.optional(),
  run_id: entityId.optional(),
  app_id: z.unknown().optional(),
  metadata: metadataSchema.nullable().optional(),
  infer: z.boolean().optional(),
  async_mode: z.boolean().optional(),
  timestamp: z.number().optional().describe('Epoch seconds.'),
  observation_datetime: z.string().optional(),
  observation_date: z.string().optional(),
  timezone: z.string().optional(),
  expiration_date: z.string().nullable().optional(),
  custom_instructions: z.string().optional(),
  agent_custom_instructions: z.string().optional(),
  includes: z.string().optional(),
  excludes: z.string().optional(),
  custom_categories: z.unknown().optional(),
  immutable: z.boolean().optional(),
  structured_data_schema: z.unknown().optional(),
  prompt_profile_id: z.unknown().optional(),
  enable_graph: z.boolean().optional(),
});
export type AddBody = z.output<typeof addBody>;

/** The fields that choose memories, shared by list and search bodies. */
const selectionFields = {
  filters: filtersSchema.optional(),
  user_id: entityId.optional(),
  agent_id: entityId.optional(),
  run_id: entityId.optional(),
  app_id: z.unknown().optional(),
  start_date: z.string().optional(),
  end_date: z.string().optional(),
  categories: z.array(z.string().min(1)).optional(),
  metadata: metadataSchema.optional(),
  show_expired: z.boolean().optional(),
};
export const listBody = z.looseObject(selectionFields);
export type ListBody = z.output<typeof listBody>;

export const searchBody = z.looseObject({
  query: z.string().min(1),
  ...selectionFields,
  top_k: z.number().int().min(1).max(1000).optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  threshold: z.number().min(0).max(1).nullable().optional(),
  fields: z.array(z.string()).optional(),
});
export type SearchBody = z.output<typeof searchBody>;

export interface Refusal {
  field: string;
  why: string;
}

/** 400 `unsupported_field` naming every field engram cannot honour, and why; nothing is done. */
export function refuse(refusals: Refusal[]): void {
  if (refusals.length === 0) return;
  throw new HttpError(
    400,
    'unsupported_field',
    `engram cannot honour ${refusals.map((r) => `${r.field} (${r.why})`).join('; ')}. Nothing was done.`,
    { details: { fields: refusals.map((r) => ({ path: r.field, message: r.why })) } },
  );
}

export const APP_ID_WHY =
  'engram has no app scope: memories belong to a user, agent or run of the tenant, which is the project; tell apps apart with metadata';

/** `app_id` anywhere in a filter (top level, inside AND / OR / NOT). */
export function filterRefusals(filters: unknown, path = 'filters'): Refusal[] {
  if (Array.isArray(filters)) return filters.flatMap((f, i) => filterRefusals(f, `${path}[${i}]`));
  if (typeof filters !== 'object' || filters === null) return [];
  return Object.entries(filters).flatMap(([key, value]) => {
    if (key === 'app_id') return [{ field: `${path}.app_id`, why: APP_ID_WHY }];
    return ['AND', 'OR', 'NOT'].includes(key.toUpperCase()) ? filterRefusals(value, `${path}.${key}`) : [];
  });
}

/**
 * One engram filter from mem0's selection fields: `filters` ANDed with the top-level scope ids,
 * `start_date` / `end_date` (created_at), `categories` (any of them) and `metadata` (equalities).
 */
export function selection(body: z.output<z.ZodObject<typeof selectionFields>>): Filter | undefined {
  refuse([
    ...(body.app_id === undefined ? [] : [{ field: 'app_id', why: APP_ID_WHY }]),
    ...filterRefusals(body.filters),
  ]);
  const parts: Filter[] = [];
  if (body.filters !== undefined) parts.push(body.filters as Filter);
  for (const field of ['user_id', 'agent_id', 'run_id'] as const) {
    if (body[field] !== undefined) parts.push({ [field]: body[field] });
  }
  if (body.start_date !== undefined) parts.push({ created_at: { gte: body.start_date } });
  if (body.end_date !== undefined) parts.push({ created_at: { lte: body.end_date } });
  if (body.categories !== undefined && body.categories.length > 0) {
    parts.push({ OR: body.categories.map((c) => ({ categories: { contains: c } })) });
  }
  if (body.metadata !== undefined) parts.push({ metadata: body.metadata as Filter });
  if (parts.length <= 1) return parts[0];
  return { AND: parts };
}

/** A search with mem0's fields: `top_k` (or `limit`), `threshold`, `show_expired` and the selection. */
export function searchSelection(scoped: ScopedMemory, body: SearchBody) {
  return scoped.search(body.query, {
    filters: selection(body),
    ...(body.top_k === undefined ? {} : { topK: body.top_k }),
    ...(body.limit === undefined ? {} : { limit: body.limit }),
    threshold: body.threshold ?? undefined,
    ...(body.show_expired === undefined ? {} : { showExpired: body.show_expired }),
  });
}

const given = (v: unknown) => v !== undefined && v !== null;

/** Add fields engram cannot honour: when each counts as asked for, and why. */
const ADD_REFUSALS: [field: keyof AddBody, asked: (v: unknown) => boolean, why: string][] = [
  ['app_id', given, APP_ID_WHY],
  ['custom_categories', given, 'engram extracts categories with its own prompt; it takes no catalogue'],
  ['immutable', (v) => v === true, 'engram memories are always open to later updates'],
  ['structured_data_schema', given, 'engram extracts plain-text facts'],
  ['prompt_profile_id', given, 'engram has no saved prompt profiles; send custom_instructions'],
  [
    'timezone',
    (v) => given(v) && v !== 'UTC' && v !== 'Etc/UTC',
    'engram reads times as ISO 8601 with an offset; send observation_datetime with one',
  ],
];

/** mem0's add fields as engram's add options; fields engram cannot honour are refused by name. */
export function addOptions(body: AddBody): AddOptions {
  refuse(
    ADD_REFUSALS.filter(([field, asked]) => asked(body[field])).map(([field, , why]) => ({ field, why })),
  );
  const customInstructions = instructions(body);
  return {
    user_id: body.user_id,
    agent_id: body.agent_id,
    run_id: body.run_id,
    metadata: (body.metadata ?? undefined) as Metadata | undefined,
    infer: body.infer,
    eventTime: eventTime(body),
    ...(body.expiration_date === undefined ? {} : { expirationDate: body.expiration_date }),
    ...(customInstructions === undefined ? {} : { customInstructions }),
  };
}

function eventTime(body: AddBody): AddOptions['eventTime'] {
  if (body.observation_datetime !== undefined) return body.observation_datetime;
  if (body.observation_date !== undefined) return `${body.observation_date}T00:00:00.000Z`;
  return body.timestamp === undefined ? undefined : body.timestamp * 1000;
}

/** custom_instructions (agent ones for an agent-only add), with includes / excludes as sentences. */
function instructions(body: AddBody): string | undefined {
  const agentOnly = body.agent_id !== undefined && body.user_id === undefined;
  const lines = [
    (agentOnly ? body.agent_custom_instructions : undefined) ?? body.custom_instructions,
    body.includes === undefined ? undefined : `Remember only facts about: ${body.includes}.`,
    body.excludes === undefined ? undefined : `Do not remember facts about: ${body.excludes}.`,
  ].filter((l): l is string => l !== undefined && l.trim() !== '');
  return lines.length === 0 ? undefined : lines.join('\n');
}

/** An add: synchronous unless `async_mode: true`, when it is queued (the event id is the job id). */
export async function runAdd(
  scoped: ScopedMemory,
  body: AddBody,
): Promise<{ queued: { event_id: string } } | { added: AddResult }> {
  const graph = scoped.memory.config.graph.enabled;
  refuse(
    body.enable_graph === undefined || body.enable_graph === graph
      ? []
      : [
          {
            field: 'enable_graph',
            why: `engram's graph is ${graph ? 'on' : 'off'} for every add (config graph.enabled)`,
          },
        ],
  );
  const options = addOptions(body);
  if (body.async_mode === true) {
    const queued = await scoped.enqueueAdd(body.messages, options, {});
    return { queued: { event_id: queued.job_id } };
  }
  return { added: await scoped.add(body.messages, options) };
}

export const QUEUED_MESSAGE = 'Memory processing has been queued for background execution';

/** An added, updated or deleted memory as mem0 lists it in an add's results. */
export function addedItem(r: AddResult['results'][number]) {
  return { id: r.id, event: r.event, memory: r.memory, data: { memory: r.memory } };
}

/** A memory as the mem0 platform returns it (engram's item already uses its field names). */
export function platformItem(item: MemoryItem) {
  const expiration = item.metadata.expiration_date;
  return { ...item, app_id: null, expiration_date: typeof expiration === 'string' ? expiration : null };
}

/** Only the fields a search asked for (`fields`), always with the id. */
export function pickFields(
  item: Record<string, unknown>,
  fields: string[] | undefined,
): Record<string, unknown> {
  if (fields === undefined || fields.length === 0) return item;
  return Object.fromEntries(['id', ...fields].filter((f) => Object.hasOwn(item, f)).map((f) => [f, item[f]]));
}

/** `count`, `next`, `previous` links of a numbered page, as mem0 pages lists. */
export function pageLinks(c: Context, page: number, pageSize: number, hasNext: boolean) {
  const url = new URL(c.req.url);
  const link = (p: number) => {
    url.searchParams.set('page', String(p));
    url.searchParams.set('page_size', String(pageSize));
    return url.toString();
  };
  return { next: hasNext ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null };
}

/** engram's job states as mem0's event statuses. */
const EVENT_STATUS: Record<JobItem['state'], string> = {
  pending: 'PENDING',
  running: 'RUNNING',
  done: 'SUCCEEDED',
  dead: 'FAILED',
};

/** A queued add as mem0's `GET /v1/event/{id}/` shows it. */
export function eventItem(job: JobItem) {
  const finished = job.state === 'done' || job.state === 'dead';
  const results = (job.result as { results?: AddResult['results'] } | null)?.results;
  return {
    id: job.id,
    event_type: job.kind === 'infer' ? 'ADD' : job.kind.toUpperCase(),
    status: EVENT_STATUS[job.state],
    payload: null,
    metadata: { user_id: job.user_id, agent_id: job.agent_id, run_id: job.run_id, attempts: job.attempts },
    results: Array.isArray(results) ? results.map(addedItem) : [],
    created_at: job.created_at,
    updated_at: job.updated_at,
    started_at: null,
    completed_at: finished ? job.updated_at : null,
    latency: finished ? Date.parse(job.updated_at) - Date.parse(job.created_at) : null,
    error: job.last_error,
  };
}
