import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { jsonObjectSchema } from '../memory/access/json-object-schema.js';
import type { ScopedMemory } from '../memory/access/scoped-memory.js';
import type { Filter } from '../spec/filter.js';
import type { Metadata } from '../spec/memory-record.js';
import { runTool } from './tool-result.js';

const scope = {
  user_id: z.string().min(1).optional().describe('The user the memories belong to.'),
  agent_id: z.string().min(1).optional().describe('The agent the memories belong to.'),
  run_id: z.string().min(1).optional().describe('The run / session the memories belong to.'),
};
/** The two time axes (docs/architecture.md): which version of each memory a read sees. */
const times = {
  as_of: z.string().optional().describe('ISO 8601: the version true at this time (world time).'),
  known_at: z.string().optional().describe('ISO 8601: as engram knew it at this time (system time).'),
};
const memoryId = {
  memory_id: z
    .string()
    .min(1)
    .describe('A memory id as returned by add_memory, search_memory or list_memories.'),
};

/**
 * Tool arguments are strict objects: an unknown or misspelt argument is refused by name, never
 * dropped (the SDK would strip unknown keys from a plain shape).
 *
 * The memory tools over one scoped engine. The same server runs over stdio (`engram mcp`) and
 * streamable HTTP (`/mcp`); a key's tenant and pin apply exactly as on the REST routes.
 */
export function createMcpServer(scoped: ScopedMemory, version = '0.1.0'): McpServer {
  const server = new McpServer({ name: 'engram', version });

  server.registerTool(
    'add_memory',
    {
      description:
        'Remember something: distils facts from the text or messages (infer, default true) and stores them in the scope.',
      inputSchema: z.strictObject({
        messages: z
          .union([z.string().min(1), z.array(z.object({ role: z.string(), content: z.string() })).min(1)])
          .describe('Text, or conversation messages [{role, content}].'),
        ...scope,
        metadata: jsonObjectSchema('Free JSON object stored with the memory.').optional(),
        infer: z.boolean().optional().describe('false stores the messages as they are, without an LLM.'),
      }),
    },
    (args) =>
      runTool(() =>
        scoped.add(args.messages, {
          user_id: args.user_id,
          agent_id: args.agent_id,
          run_id: args.run_id,
          metadata: args.metadata as Metadata | undefined,
          infer: args.infer,
        }),
      ),
  );

  server.registerTool(
    'search_memory',
    {
      description: 'Find the memories most relevant to a query within a scope.',
      inputSchema: z.strictObject({
        query: z.string().min(1),
        ...scope,
        filters: jsonObjectSchema('mem0 filter, e.g. {"metadata.topic": "food"}.').optional(),
        limit: z.number().int().min(1).max(100).optional(),
        ...times,
      }),
    },
    (args) =>
      runTool(() =>
        scoped.search(args.query, {
          user_id: args.user_id,
          agent_id: args.agent_id,
          run_id: args.run_id,
          filters: args.filters as Filter | undefined,
          limit: args.limit,
          asOf: args.as_of,
          knownAt: args.known_at,
        }),
      ),
  );

  server.registerTool(
    'list_memories',
    {
      description: 'List the memories of a scope, newest first, a page at a time.',
      inputSchema: z.strictObject({
        ...scope,
        limit: z.number().int().min(1).max(1000).optional(),
        cursor: z.string().optional(),
      }),
    },
    (args) => runTool(() => scoped.getAll(args)),
  );

  server.registerTool(
    'get_memory',
    {
      description: 'Get one memory by id: its current version, or the one true at as_of.',
      inputSchema: z.strictObject({ ...memoryId, ...times }),
    },
    (args) =>
      runTool(() =>
        scoped.get(args.memory_id, {
          ...(args.as_of === undefined ? {} : { asOf: args.as_of }),
          ...(args.known_at === undefined ? {} : { knownAt: args.known_at }),
        }),
      ),
  );

  server.registerTool(
    'update_memory',
    {
      description:
        'Give a memory a new text (a new version; the old one stays, findable with as_of) and/or merge metadata into it.',
      inputSchema: z.strictObject({
        ...memoryId,
        text: z.string().min(1).optional(),
        metadata: jsonObjectSchema(
          'Merged into the existing metadata; a key set to null is removed.',
        ).optional(),
        event_time: z.string().optional().describe('ISO 8601: when the new text became true (default now).'),
      }),
    },
    (args) =>
      runTool(() =>
        scoped.update(args.memory_id, {
          ...(args.text === undefined ? {} : { text: args.text }),
          ...(args.metadata === undefined ? {} : { metadata: args.metadata as Metadata }),
          ...(args.event_time === undefined ? {} : { eventTime: args.event_time }),
        }),
      ),
  );

  server.registerTool(
    'delete_memory',
    { description: 'Delete one memory by id.', inputSchema: z.strictObject(memoryId) },
    (args) => runTool(() => scoped.delete(args.memory_id)),
  );

  server.registerTool(
    'delete_all_memories',
    {
      description: 'Delete every memory of a scope (a user_id, agent_id or run_id is required).',
      inputSchema: z.strictObject(scope),
    },
    (args) => runTool(() => scoped.deleteAll(args)),
  );

  server.registerTool(
    'erase_scope',
    {
      description:
        'Right to be forgotten: erase every trace of a scope (memories, versions, history, messages, queued jobs, usage). Cannot be undone; needs an admin key and confirm: true.',
      inputSchema: z.strictObject({ ...scope, confirm: z.literal(true) }),
    },
    ({ confirm: _confirmed, ...args }) => runTool(() => scoped.erase(args)),
  );

  server.registerTool(
    'memory_history',
    {
      description:
        'The change history of a memory, newest first: ADD, UPDATE, INVALIDATE, DELETE events with old and new text and the version each concerns.',
      inputSchema: z.strictObject(memoryId),
    },
    (args) => runTool(() => scoped.history(args.memory_id)),
  );

  server.registerTool(
    'graph_relations',
    {
      description:
        "Relations between the entities of a scope's memory graph (who lives where, works for whom...), each with the interval it held; as_of gives those that held at that time.",
      inputSchema: z.strictObject({
        ...scope,
        entity: z
          .string()
          .min(1)
          .optional()
          .describe("Only this entity's relations (a name, an alias or an id)."),
        as_of: times.as_of.describe(
          'ISO 8601: the relations that held at this time (world time; default now).',
        ),
        known_at: times.known_at,
      }),
    },
    ({ as_of, known_at, ...args }) =>
      runTool(() => scoped.graph.relations({ ...args, asOf: as_of, knownAt: known_at })),
  );

  server.registerTool(
    'graph_neighbors',
    {
      description:
        "An entity of a scope's memory graph and what is within 1 or 2 hops of it: the entities (with their hops) and the relations between them.",
      inputSchema: z.strictObject({
        ...scope,
        entity: z.string().min(1).describe('The entity to start from (a name, an alias or an id).'),
        depth: z
          .union([z.literal(1), z.literal(2)])
          .optional()
          .describe('Hops to walk (default 1).'),
        as_of: times.as_of.describe(
          'ISO 8601: the relations that held at this time (world time; default now).',
        ),
        known_at: times.known_at,
      }),
    },
    ({ entity, as_of, known_at, ...args }) =>
      runTool(() => scoped.graph.neighbors(entity, { ...args, asOf: as_of, knownAt: known_at })),
  );

  return server;
}
