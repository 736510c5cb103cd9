import type { InputMessage } from '../memory/api-types.js';
import { MemoryError } from '../spec/memory-error.js';
import type { Metadata } from '../spec/memory-record.js';
import type { Message, SearchFilters } from './mem0-types.js';

/**
 * Checks of mem0ai/oss's options, made before engram sees them, so a mem0 user gets errors in
 * mem0's terms (topK, filters, userId) rather than engram's (limit, scope).
 */

/** The scope keys of a mem0 call, both spellings: mem0 takes camelCase in add, snake_case in filters. */
const SCOPE_KEYS = ['userId', 'agentId', 'runId', 'user_id', 'agent_id', 'run_id'];
const IDENTITY_KEYS = new Set([...SCOPE_KEYS, 'actor_id']);

/** The most results one call returns (engram's page limit). */
export const MAX_TOP_K = 1000;

function invalid(message: string, details?: Record<string, unknown>): MemoryError {
  return new MemoryError('invalid_input', message, details ? { details } : {});
}

/** An options object; undefined is an empty one, anything else that is not an object is refused. */
export function optionsObject<T extends object>(options: T | undefined, method: string): Partial<T> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw invalid(`${method}() takes an options object as its last argument.`);
  }
  return options;
}

/** Refuses option names the method does not know: nothing is silently ignored. */
export function checkKeys(options: object, allowed: readonly string[], method: string): void {
  const record = options as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => !allowed.includes(key) && record[key] !== undefined);
  if (unknown.length > 0) {
    throw invalid(`${method}() does not take ${unknown.join(', ')}; it takes ${allowed.join(', ')}.`, {
      unknown,
    });
  }
}

/** mem0 takes the scope of search and getAll in `filters` only. */
export function refuseTopLevelScope(options: object, method: string): void {
  const given = SCOPE_KEYS.filter((key) => (options as Record<string, unknown>)[key] !== undefined);
  if (given.length > 0) {
    throw invalid(
      `${method}() takes the scope in filters, not as ${given.join(', ')}: pass filters: {user_id: "..."} (or agent_id, run_id).`,
      { unknown: given },
    );
  }
}

/** A scope id trimmed as mem0 trims it; empty or containing whitespace is refused by name. */
export function entityId(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  const trimmed = String(value).trim();
  if (trimmed === '') throw invalid(`${name} is empty: give an id.`, { field: name });
  if (/\s/.test(trimmed))
    throw invalid(`${name} "${trimmed}" contains whitespace: ids have none.`, { field: name });
  return trimmed;
}

/** true, false or absent; anything else (a string "false") is refused by name. */
export function checkBoolean(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  throw invalid(`${name} must be true or false, got ${JSON.stringify(value)}.`, { field: name });
}

/** mem0's topK: a whole number from 0 (no results) to MAX_TOP_K; absent, mem0's default of 20. */
export function checkTopK(topK: unknown): number {
  if (topK === undefined) return 20;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 0 || topK > MAX_TOP_K) {
    throw invalid(`topK must be a whole number from 0 to ${MAX_TOP_K}, got ${String(topK)}.`, {
      field: 'topK',
    });
  }
  return topK;
}

export function checkThreshold(threshold: unknown): number | undefined {
  if (threshold === undefined) return undefined;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw invalid(`threshold must be a number from 0 to 1, got ${String(threshold)}.`, {
      field: 'threshold',
    });
  }
  return threshold;
}

/** Filters with their scope ids trimmed (as mem0 does); other conditions pass to engram unchanged. */
export function checkFilters(filters: unknown): SearchFilters | undefined {
  if (filters === undefined || filters === null) return undefined;
  if (typeof filters !== 'object' || Array.isArray(filters)) {
    throw invalid('filters must be an object, e.g. {user_id: "alice"}.', { field: 'filters' });
  }
  const out: SearchFilters = { ...(filters as SearchFilters) };
  for (const key of ['user_id', 'agent_id', 'run_id'] as const) {
    const id = entityId(out[key], `filters.${key}`);
    if (id === undefined) delete out[key];
    else out[key] = id;
  }
  return out;
}

/**
 * The scope of an add, from userId/agentId/runId and `filters` (mem0's other way to give it).
 * Both may be given for one id only when they agree; `filters` holds nothing else on add.
 */
export function addScope(options: {
  userId?: unknown;
  agentId?: unknown;
  runId?: unknown;
  filters?: unknown;
}): { userId?: string; agentId?: string; runId?: string } {
  const filters = checkFilters(options.filters) ?? {};
  const extra = Object.keys(filters).filter((key) => !['user_id', 'agent_id', 'run_id'].includes(key));
  if (extra.length > 0) {
    throw invalid(
      `add() takes only user_id, agent_id and run_id in filters (the scope); got ${extra.join(', ')}. Put other values in metadata.`,
      { unknown: extra.map((key) => `filters.${key}`) },
    );
  }
  const scope: { userId?: string; agentId?: string; runId?: string } = {};
  const pairs = [
    ['userId', 'user_id'],
    ['agentId', 'agent_id'],
    ['runId', 'run_id'],
  ] as const;
  for (const [camel, snake] of pairs) {
    const direct = entityId(options[camel], camel);
    const filtered = filters[snake];
    if (direct !== undefined && filtered !== undefined && direct !== filtered) {
      throw invalid(`${camel} "${direct}" and filters.${snake} "${filtered}" differ: give the scope once.`, {
        field: camel,
      });
    }
    const id = direct ?? filtered;
    if (id !== undefined) scope[camel] = id;
  }
  if (!scope.userId && !scope.agentId && !scope.runId) {
    throw new MemoryError(
      'scope_required',
      'add() needs a scope: pass userId, agentId or runId (or filters: {user_id: "..."}).',
      { hint: 'scope' },
    );
  }
  return scope;
}

/** Messages as engram takes them; mem0's refusals of empty input, and images refused by name. */
export function checkMessages(messages: unknown): string | InputMessage[] {
  if (messages === undefined || messages === null) {
    throw invalid('add() needs messages: a string or an array of {role, content}.');
  }
  if (typeof messages === 'string') {
    if (messages.trim() === '') throw invalid('add() got an empty string: give some text.');
    return messages;
  }
  if (!Array.isArray(messages)) return messages as InputMessage[];
  if (messages.length === 0) throw invalid('add() got no messages: pass at least one with text.');
  const list = messages as Message[];
  const image = list.findIndex((m) => typeof m?.content === 'object' && m.content !== null);
  if (image >= 0) {
    throw invalid(
      `Message ${image} has image content (image_url): engram stores text only; describe the image in text.`,
      { index: image },
    );
  }
  if (list.every((m) => typeof m?.content === 'string' && m.content.trim() === '')) {
    throw invalid('add() got only blank messages: at least one needs text.');
  }
  return list as InputMessage[];
}

/** Metadata without scope keys: mem0 keeps those out of metadata and so does the façade. */
export function withoutIdentityKeys(metadata: unknown, field = 'metadata'): Metadata | undefined {
  if (metadata === undefined || metadata === null) return undefined;
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw invalid(`${field} must be an object.`, { field });
  }
  return Object.fromEntries(Object.entries(metadata as Metadata).filter(([key]) => !IDENTITY_KEYS.has(key)));
}
