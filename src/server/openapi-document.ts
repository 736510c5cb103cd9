import { z } from 'zod';
import {
  addBodySchema,
  addResultSchema,
  apiKeySchema,
  channelUsageSchema,
  createdKeySchema,
  entityItemSchema,
  eraseBodySchema,
  erasureResultSchema,
  errorBodySchema,
  getQuerySchema,
  graphNeighborsQuerySchema,
  graphRelationsQuerySchema,
  historyItemSchema,
  jobItemSchema,
  listQuerySchema,
  listResultSchema,
  memoryItemSchema,
  messageResultSchema,
  neighborhoodSchema,
  observeBodySchema,
  observeResultSchema,
  observeUsageQuerySchema,
  queuedAddSchema,
  relationDetailSchema,
  scopeQuerySchema,
  searchBodySchema,
  searchResultSchema,
  updateBodySchema,
  versionItemSchema,
} from './schemas.js';

type JsonSchema = Record<string, unknown>;

interface Operation {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  summary: string;
  tag: string;
  body?: z.ZodType;
  query?: z.ZodObject;
  response: z.ZodType;
  status?: number;
  /** The path has an `{id}` parameter. */
  pathId?: boolean;
  /** Other path parameters, by name (`{channel_id}`). */
  pathParams?: string[];
  auth?: boolean;
}

const OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/memories',
    summary: 'Add memories from messages (set async to queue).',
    tag: 'memories',
    body: addBodySchema,
    response: z.union([addResultSchema, queuedAddSchema]),
  },
  {
    method: 'get',
    path: '/memories',
    summary: 'List memories of a scope, a cursor page at a time.',
    tag: 'memories',
    query: listQuerySchema,
    response: listResultSchema,
  },
  {
    method: 'delete',
    path: '/memories',
    summary: 'Delete every memory of a scope.',
    tag: 'memories',
    query: scopeQuerySchema,
    response: messageResultSchema,
  },
  {
    method: 'get',
    path: '/memories/{id}',
    summary: 'Get one memory: its current version, or the one true at as_of (as known at known_at).',
    tag: 'memories',
    pathId: true,
    query: getQuerySchema,
    response: memoryItemSchema,
  },
  {
    method: 'put',
    path: '/memories/{id}',
    summary:
      'Update a memory: a new text is a new version; metadata merges (409 when another memory has the text).',
    tag: 'memories',
    pathId: true,
    body: updateBodySchema,
    response: memoryItemSchema,
  },
  {
    method: 'patch',
    path: '/memories/{id}',
    summary: 'Update a memory (same as PUT).',
    tag: 'memories',
    pathId: true,
    body: updateBodySchema,
    response: memoryItemSchema,
  },
  {
    method: 'delete',
    path: '/memories/{id}',
    summary: 'Delete a memory (history keeps a DELETE event).',
    tag: 'memories',
    pathId: true,
    response: messageResultSchema,
  },
  {
    method: 'get',
    path: '/memories/{id}/history',
    summary: 'The change history of a memory, newest first, each event with its version and interval.',
    tag: 'memories',
    pathId: true,
    response: z.array(historyItemSchema),
  },
  {
    method: 'get',
    path: '/memories/{id}/versions',
    summary: 'Every text a memory has had, newest first, with world and system intervals.',
    tag: 'memories',
    pathId: true,
    response: z.object({ results: z.array(versionItemSchema) }),
  },
  {
    method: 'post',
    path: '/search',
    summary: 'Hybrid search within a scope.',
    tag: 'memories',
    body: searchBodySchema,
    response: searchResultSchema,
  },
  {
    method: 'get',
    path: '/graph/entities',
    summary: "The entities of a scope's temporal graph, by name (merged ones resolved).",
    tag: 'graph',
    query: scopeQuerySchema,
    response: z.object({ results: z.array(entityItemSchema) }),
  },
  {
    method: 'get',
    path: '/graph/relations',
    summary:
      'Relations of a scope (or of one entity) that held at as_of, as known at known_at; 404 for an unknown entity.',
    tag: 'graph',
    query: graphRelationsQuerySchema,
    response: z.object({ results: z.array(relationDetailSchema) }),
  },
  {
    method: 'get',
    path: '/graph/neighbors',
    summary: 'The entities and relations within 1 or 2 hops of an entity; 404 for an unknown entity.',
    tag: 'graph',
    query: graphNeighborsQuerySchema,
    response: neighborhoodSchema,
  },
  {
    method: 'post',
    path: '/observe',
    summary:
      "Log a channel's messages for passive observation (idempotent on message ids); the worker extracts them in windows, each fact to its speaker's scope (403 for a pinned key).",
    tag: 'observe',
    body: observeBodySchema,
    response: observeResultSchema,
  },
  {
    method: 'get',
    path: '/observe/{channel_id}/usage',
    summary:
      'What observing a channel cost per day: windows, messages, facts, LLM calls and tokens, the money estimate.',
    tag: 'observe',
    pathParams: ['channel_id'],
    query: observeUsageQuerySchema,
    response: channelUsageSchema,
  },
  {
    method: 'post',
    path: '/reset',
    summary: "Erase every memory of the key's tenant (admin key without a pin).",
    tag: 'admin',
    response: messageResultSchema,
  },
  {
    method: 'post',
    path: '/erase',
    summary:
      'Right to be forgotten: erase every trace of a scope — memories, versions, history, messages, jobs, usage (admin key).',
    tag: 'admin',
    body: eraseBodySchema,
    response: erasureResultSchema,
  },
  {
    method: 'get',
    path: '/jobs/{id}',
    summary: 'Status of a queued add (404 outside the key’s pin).',
    tag: 'jobs',
    pathId: true,
    response: jobItemSchema,
  },
  {
    method: 'post',
    path: '/keys',
    summary: "Create an API key in the admin key's tenant (and within its pin); the secret is returned once.",
    tag: 'admin',
    body: z.object({
      name: z.string().optional(),
      user_id: z.string().optional(),
      agent_id: z.string().optional(),
      admin: z.boolean().optional(),
    }),
    response: createdKeySchema,
    status: 201,
  },
  {
    method: 'get',
    path: '/keys',
    summary: "List the tenant's API keys (admin key; a pinned one sees the keys within its pin).",
    tag: 'admin',
    response: z.object({ results: z.array(apiKeySchema) }),
  },
  {
    method: 'delete',
    path: '/keys/{id}',
    summary: 'Revoke an API key (admin key).',
    tag: 'admin',
    pathId: true,
    response: apiKeySchema,
  },
  {
    method: 'get',
    path: '/health',
    summary: 'The process is alive.',
    tag: 'operations',
    response: z.object({ status: z.literal('ok') }),
    auth: false,
  },
  {
    method: 'get',
    path: '/ready',
    summary: 'Database writable and model dependencies reachable, per dependency.',
    tag: 'operations',
    response: z.object({
      status: z.enum(['ready', 'not_ready']),
      checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string() })),
    }),
    auth: false,
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics (text format).',
    tag: 'operations',
    response: z.string(),
    auth: false,
  },
];

function schema(s: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** OpenAPI 3.1 for the native API, generated from the same zod schemas the routes validate with. */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) {
    const parameters: JsonSchema[] = [];
    for (const name of [...(op.pathId ? ['id'] : []), ...(op.pathParams ?? [])]) {
      parameters.push({ name, in: 'path', required: true, schema: { type: 'string' } });
    }
    if (op.query) {
      const query = schema(op.query, 'input');
      const props = (query.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((query.required ?? []) as string[]);
      for (const [name, s] of Object.entries(props))
        parameters.push({ name, in: 'query', required: required.has(name), schema: s });
    }
    const isText = op.path === '/metrics';
    paths[op.path] ??= {};
    paths[op.path]![op.method] = {
      summary: op.summary,
      tags: [op.tag],
      ...(op.auth === false ? { security: [] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: schema(op.body, 'input') } },
            },
          }
        : {}),
      responses: {
        [String(op.status ?? 200)]: {
          description: 'OK',
          content: isText
            ? { 'text/plain': { schema: { type: 'string' } } }
            : { 'application/json': { schema: schema(op.response, 'output') } },
        },
        ...(op.auth === false
          ? {}
          : {
              '400': { $ref: '#/components/responses/Error' },
              '401': { $ref: '#/components/responses/Error' },
              '403': { $ref: '#/components/responses/Error' },
              '404': { $ref: '#/components/responses/Error' },
              '413': { $ref: '#/components/responses/Error' },
              '429': { $ref: '#/components/responses/Error' },
            }),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'engram',
      version,
      description:
        'Long-term memory for LLM applications. The native API follows the mem0 OSS server routes with engram extensions; the mem0 platform routes (/v1, /v3) are served too, for the mem0ai clients. Authenticate with `Authorization: Token <key>` or `Bearer <key>`.',
    },
    servers: [{ url: '/' }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: '`Token <key>` is accepted as well.' },
      },
      schemas: { Error: schema(errorBodySchema, 'output'), Memory: schema(memoryItemSchema, 'output') },
      responses: {
        Error: {
          description: 'An error',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    },
  };
}
