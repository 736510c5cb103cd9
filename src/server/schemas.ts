import { z } from 'zod';
import { jsonObjectSchema } from '../memory/access/json-object-schema.js';

/**
 * The native API's request and response shapes. Requests are strict: an unknown field is a 400
 * naming it (a misspelt `metdata` must not store a memory without its metadata). Routes validate with them, /openapi.json is
 * generated from them, and the client's tests check responses against them.
 */
const id = z.string().min(1).max(256);
const scopeFields = {
  user_id: id.optional().describe('The user the memories belong to.'),
  agent_id: id.optional().describe('The agent the memories belong to.'),
  run_id: id.optional().describe('The run / session the memories belong to.'),
};
const metadata = jsonObjectSchema('Free JSON object stored with the memory.');
// Not z.record: it would silently drop a `__proto__` key, widening the filter (see jsonObjectSchema).
const filters = jsonObjectSchema(
  'mem0 filter: {user_id: "alice", "metadata.topic": {in: ["food"]}, AND: [...], OR: [...], NOT: {...}}',
);
const time = z
  .union([z.string(), z.number()])
  .describe('ISO 8601, or epoch seconds (below 1e10) or milliseconds; years 1900 to 2200.');

export const messageSchema = z.object({
  role: z.string().min(1),
  content: z.string(),
  name: z.string().optional(),
});

export const addBodySchema = z.strictObject({
  messages: z.union([z.string().min(1), z.array(messageSchema).min(1)]),
  ...scopeFields,
  metadata: metadata.optional(),
  infer: z
    .boolean()
    .optional()
    .describe('Distil facts with the LLM (default true) or store messages as they are.'),
  async: z.boolean().optional().describe('Queue the add and return a job id instead of waiting.'),
  async_mode: z.boolean().optional().describe('mem0 spelling of `async`.'),
  idempotency_key: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Repeating a queued add with the same key returns the first job.'),
  event_time: time.optional().describe('When the conversation happened; defaults to now.'),
  memory_type: z.enum(['semantic', 'episodic', 'procedural']).optional(),
  importance: z.number().min(0).max(1).optional(),
});

export const listQuerySchema = z.strictObject({
  ...scopeFields,
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  top_k: z.coerce.number().int().min(1).max(1000).optional().describe("mem0's name for limit."),
  cursor: z.string().optional(),
});

export const scopeQuerySchema = z.strictObject(scopeFields);

export const eraseBodySchema = z.strictObject({
  ...scopeFields,
  confirm: z
    .literal(true, { error: 'erase cannot be undone: send "confirm": true' })
    .describe('Must be true: the scope is erased for good, history included.'),
});

export const erasureResultSchema = z.object({
  memories: z.number().int(),
  versions: z.number().int(),
  history: z.number().int(),
  messages: z.number().int(),
  jobs: z.number().int(),
  usage: z.number().int(),
});

export const searchBodySchema = z.strictObject({
  query: z.string().min(1),
  ...scopeFields,
  filters: filters.optional(),
  limit: z.number().int().min(1).max(1000).optional(),
  top_k: z.number().int().min(1).max(1000).optional().describe("mem0's name for limit."),
  threshold: z.number().min(0).max(1).optional(),
  as_of: time.optional().describe('Rank the versions true at this instant (world time).'),
  known_at: time.optional().describe('As engram knew it at this instant (system time); default now.'),
  explain: z.boolean().optional(),
});

export const getQuerySchema = z.strictObject({
  as_of: time.optional().describe('The version true at this instant (world time).'),
  known_at: time.optional().describe('As engram knew it at this instant (system time); default now.'),
});

export const updateBodySchema = z
  .strictObject({
    text: z.string().min(1).optional(),
    data: z.string().min(1).optional().describe('mem0 OSS spelling of `text`.'),
    metadata: metadata
      .optional()
      .describe('Merged into the existing metadata; a key set to null is removed.'),
    replace_metadata: z
      .boolean()
      .optional()
      .describe('Replace the whole metadata object instead of merging.'),
    event_time: time.optional().describe('When the new text became true (world time); defaults to now.'),
  })
  .refine((b) => b.text !== undefined || b.data !== undefined || b.metadata !== undefined, {
    error: 'give text (or data) and/or metadata',
  });

const graphTimes = {
  as_of: time.optional().describe('The relations that held at this instant (world time); default now.'),
  known_at: time.optional().describe('As engram knew it at this instant (system time); default now.'),
};

export const graphRelationsQuerySchema = z.strictObject({
  ...scopeFields,
  entity: z.string().min(1).max(256).optional().describe("Only this entity's relations (name, alias or id)."),
  ...graphTimes,
  limit: z.coerce.number().int().min(1).max(1000).optional().describe('Most relations (default 100).'),
});

export const graphNeighborsQuerySchema = z.strictObject({
  ...scopeFields,
  entity: z.string().min(1).max(256).describe('The entity to walk from (name, alias or id).'),
  depth: z.coerce.number().int().min(1).max(2).optional().describe('Hops to walk, 1 or 2 (default 1).'),
  ...graphTimes,
});

/** The most messages one POST /observe takes (the engine's limit per observe call). */
export const OBSERVE_MAX_MESSAGES = 1000;

export const observedMessageSchema = z.strictObject({
  id: id.describe("The platform's message id: logging is idempotent on it (a replay logs nothing twice)."),
  speaker_id: id.describe("The speaker's stable id: their facts go to this user's scope."),
  speaker_name: z.string().max(256).optional().describe('Display name, shown to the LLM (may change).'),
  content: z.string().min(1),
  time: time.optional().describe('When it was said; defaults to now.'),
  bot: z.boolean().optional().describe('Sent by a bot (not extracted unless observe.includeBots).'),
  system: z.boolean().optional().describe('A system message (never extracted).'),
});

export const observeBodySchema = z.strictObject({
  channel_id: id.describe("The channel: its log and the run scope of the speakers' facts."),
  messages: z.array(observedMessageSchema).min(1).max(OBSERVE_MAX_MESSAGES),
});

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' })
  .refine((d) => !Number.isNaN(Date.parse(d)) && new Date(d).toISOString().startsWith(d), {
    error: 'expected a date YYYY-MM-DD',
  });

export const observeUsageQuerySchema = z.strictObject({
  since: day.optional().describe('First day to report (UTC); default 30 days back.'),
});

const skippedCounts = z
  .record(z.string(), z.number().int())
  .describe('Logged but not sent to extraction, by rule (bot, system, command, chatter, …).');

export const observeResultSchema = z.object({
  channel_id: z.string(),
  logged: z.number().int().describe('Messages logged now (the others were logged before).'),
  duplicates: z.number().int(),
  skipped: skippedCounts,
  pending: z.number().int().describe("Messages waiting for the channel's next window."),
  window_due_at: z.string().nullable().describe('When that window runs at the latest; null: none waits.'),
});

const dayUsageFields = {
  windows: z.number().int(),
  messages: z.number().int(),
  skipped: z.number().int(),
  facts: z.number().int(),
  llmCalls: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  embedCalls: z.number().int(),
};

export const channelUsageSchema = z.object({
  channel_id: z.string(),
  days: z
    .array(z.object({ day: z.string(), ...dayUsageFields }))
    .describe('Days with observation, oldest first.'),
  total: z.object(dayUsageFields),
  cost: z
    .object({
      model: z.string(),
      price: z.object({ input: z.number(), output: z.number() }).describe('US dollars per million tokens.'),
      usd: z.number(),
    })
    .nullable()
    .describe(
      "The LLM tokens' cost at the model's price; null when the price is unknown (set observe.prices).",
    ),
});

export const keyCreateBodySchema = z.strictObject({
  name: z.string().max(200).optional(),
  user_id: id.optional().describe('Pin the key to this user.'),
  agent_id: id.optional().describe('Pin the key to this agent.'),
  admin: z.boolean().optional(),
});

export const memoryItemSchema = z.object({
  id: z.string(),
  memory: z.string(),
  hash: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  score: z.number().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  user_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  run_id: z.string().nullable(),
  actor_id: z.string().nullable(),
  role: z.string().nullable(),
  state: z.enum(['active', 'superseded', 'deleted']),
  version: z.number().int().describe('The version shown (current, or the one as_of selected).'),
  valid_from: z.string().describe('World time this version became true.'),
  valid_to: z.string().nullable().describe('World time it stopped being true; null: still true.'),
  recorded_at: z.string().describe('System time engram recorded this version.'),
  expired_at: z.string().nullable().describe('System time engram stopped holding it; null: still held.'),
  importance: z.number(),
  memory_type: z.enum(['semantic', 'episodic', 'procedural']),
  categories: z.array(z.string()),
  superseded_by: z.string().nullable(),
});

export const addResultSchema = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      memory: z.string(),
      event: z.enum(['ADD', 'UPDATE', 'DELETE', 'NONE']),
      previous_memory: z.string().optional(),
      metadata: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  status: z.enum(['done', 'pending']).optional(),
  job_id: z.string().optional(),
});

export const queuedAddSchema = z.object({
  job_id: z.string(),
  status: z.literal('pending'),
  created: z.boolean(),
});

export const listResultSchema = z.object({
  results: z.array(memoryItemSchema),
  next_cursor: z.string().nullable(),
  total: z.number().int(),
});

export const searchResultSchema = z.object({
  results: z.array(memoryItemSchema),
  degraded: z.literal('keyword-only').optional(),
  degraded_reason: z.string().optional(),
  vector_index: z
    .object({
      provider: z.string(),
      used: z.boolean(),
      reason: z.string().optional(),
    })
    .optional()
    .describe(
      'With a derived index (Qdrant, Chroma) configured: whether it answered the vector leg, and why the store did when it did not.',
    ),
});

export const historyItemSchema = z.object({
  id: z.number().int(),
  memory_id: z.string(),
  event: z.enum(['ADD', 'UPDATE', 'DELETE', 'INVALIDATE', 'RESTORE']),
  old_memory: z.string().nullable(),
  new_memory: z.string().nullable(),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
  created_at: z.string(),
  version: z.number().int().describe('The version the event produced or closed.'),
  valid_from: z.string().nullable(),
  valid_to: z.string().nullable(),
  expired_at: z.string().nullable(),
});

export const versionItemSchema = z.object({
  memory_id: z.string(),
  version: z.number().int(),
  memory: z.string(),
  hash: z.string(),
  valid_from: z.string(),
  valid_to: z.string().nullable(),
  recorded_at: z.string(),
  expired_at: z.string().nullable(),
});

export const messageResultSchema = z.object({ message: z.string(), deleted: z.number().int().optional() });

export const jobItemSchema = z.object({
  id: z.string(),
  user_id: z.string().nullable().describe('The scope the queued add writes to.'),
  agent_id: z.string().nullable(),
  run_id: z.string().nullable(),
  state: z.enum(['pending', 'running', 'done', 'dead']),
  attempts: z.number().int(),
  last_error: z.string().nullable(),
  result: z.unknown(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const entityItemSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.string().describe('person, place, organisation, thing, event, concept or other.'),
  summary: z.string().nullable(),
  aliases: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const relationDetailSchema = z.object({
  id: z.string(),
  source: z.string(),
  relationship: z.string(),
  destination: z.string(),
  valid_from: z.string().nullable().describe('World time the relation began to hold; null: unknown.'),
  valid_to: z.string().nullable().describe('World time it stopped holding; null: still holds.'),
  source_id: z.string(),
  destination_id: z.string(),
  fact: z.string(),
  created_at: z.string().describe('System time engram recorded it.'),
  expired_at: z.string().nullable().describe('System time engram stopped holding it; null: still held.'),
  memory_id: z.string().nullable().describe('The memory it came from.'),
  message_refs: z.array(z.string()),
});

export const neighborhoodSchema = z.object({
  entity: entityItemSchema,
  entities: z
    .array(entityItemSchema.extend({ hops: z.number().int() }))
    .describe('Entities within depth hops, nearest first (the entity itself excluded).'),
  relations: z.array(relationDetailSchema),
});

export const apiKeySchema = z.object({
  id: z.string(),
  tenant: z.string(),
  name: z.string().nullable(),
  prefix: z.string(),
  user_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  admin: z.boolean(),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
});

export const createdKeySchema = apiKeySchema.extend({ key: z.string().describe('The secret; shown once.') });

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).nullable(),
  }),
});
