import { z } from 'zod';
import { MemoryError } from '../spec/memory-error.js';
import type { MemoryState, MemoryType, Metadata } from '../spec/memory-record.js';
import { parseTime } from '../util/parse-time.js';
import { toWellFormed } from '../util/well-formed.js';
import type { InputMessage } from './api-types.js';
import { checkExpirationDate, EXPIRATION_KEY, withExpiration } from './filters/expiration.js';

export interface InputLimits {
  maxTextChars: number;
  maxMessages: number;
  maxMetadataBytes: number;
  maxMetadataDepth: number;
}

const messageSchema = z.object({
  role: z.string().min(1),
  content: z.string(),
  name: z.string().optional(),
});

/** A string becomes one user message; an array is checked message by message. */
export function normaliseMessages(input: unknown, limits: InputLimits): InputMessage[] {
  const list = typeof input === 'string' ? [{ role: 'user', content: input }] : input;
  if (!Array.isArray(list)) {
    throw new MemoryError(
      'invalid_input',
      'add() takes a string or an array of {role, content} messages, e.g. [{"role": "user", "content": "I live in Paris"}].',
    );
  }
  if (list.length === 0)
    throw new MemoryError('invalid_input', 'No messages to add: pass at least one message.');
  if (list.length > limits.maxMessages) {
    throw new MemoryError(
      'invalid_input',
      `${list.length} messages in one add; the limit is ${limits.maxMessages} (config limits.maxMessages). Split the conversation into several adds.`,
    );
  }
  return list.map((raw, i) => {
    const parsed = messageSchema.safeParse(raw);
    if (!parsed.success) {
      throw new MemoryError(
        'invalid_input',
        `Message ${i} is not {role: string, content: string}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'message'} ${x.message}`).join('; ')}.`,
        { details: { index: i } },
      );
    }
    const { name, ...message } = parsed.data;
    return {
      ...message,
      content: checkText(message.content, limits, `Message ${i}`),
      ...(name === undefined ? {} : { name: toWellFormed(name) }),
    };
  });
}

/**
 * Non-empty text within limits.maxTextChars, returned well-formed: a lone surrogate (half of a
 * UTF-16 pair, not Unicode) becomes U+FFFD, so what is stored, returned and hashed is one text.
 */
export function checkText(text: unknown, limits: InputLimits, what: string): string {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new MemoryError('invalid_input', `${what} is empty: give some text.`);
  }
  if (text.length > limits.maxTextChars) {
    throw new MemoryError(
      'text_too_long',
      `${what} has ${text.length} characters; the limit is ${limits.maxTextChars} (config limits.maxTextChars or ENGRAM_MAX_TEXT_CHARS).`,
      { details: { length: text.length, limit: limits.maxTextChars } },
    );
  }
  return toWellFormed(text);
}

const NOT_SERIALISABLE = 'metadata must be JSON-serialisable (no cycles, no BigInt).';

/**
 * A copy of `value` with well-formed keys and strings. It refuses to descend past
 * limits.maxMetadataDepth objects and arrays, so neither this walk nor JSON.stringify
 * (recursive in V8) can exhaust the stack, and SQLite's JSON functions accept what is stored.
 */
function cleanJson(value: unknown, depth: number, limits: InputLimits, ancestors: Set<object>): unknown {
  if (typeof value === 'string') return toWellFormed(value);
  if (typeof value !== 'object' || value === null) return value;
  // Objects with toJSON (Date) are left to JSON.stringify, as they would be without this walk.
  if (!Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON === 'function') return value;
  if (depth > limits.maxMetadataDepth) {
    throw new MemoryError(
      'invalid_input',
      `metadata is nested more than ${limits.maxMetadataDepth} objects/arrays deep; the limit is ${limits.maxMetadataDepth} (config limits.maxMetadataDepth). Flatten it, or store the deep part as a JSON string.`,
      { details: { field: 'metadata', limit: 'maxMetadataDepth', max: limits.maxMetadataDepth } },
    );
  }
  if (ancestors.has(value)) throw new MemoryError('invalid_input', NOT_SERIALISABLE);
  ancestors.add(value);
  const copy = Array.isArray(value)
    ? value.map((item) => cleanJson(item, depth + 1, limits, ancestors))
    : Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          toWellFormed(key),
          cleanJson(item, depth + 1, limits, ancestors),
        ]),
      );
  ancestors.delete(value);
  return copy;
}

/**
 * A JSON object within limits.maxMetadataBytes and limits.maxMetadataDepth (the database's JSON
 * functions refuse deeper documents), with every key and string well-formed (see checkText).
 */
export function checkMetadata(metadata: unknown, limits: InputLimits): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new MemoryError('invalid_input', 'metadata must be a JSON object, e.g. {"topic": "travel"}.');
  }
  let json: string;
  try {
    json = JSON.stringify(cleanJson(metadata, 1, limits, new Set()));
  } catch (cause) {
    if (cause instanceof MemoryError) throw cause;
    throw new MemoryError('invalid_input', NOT_SERIALISABLE, { cause });
  }
  if (Buffer.byteLength(json) > limits.maxMetadataBytes) {
    throw new MemoryError(
      'invalid_input',
      `metadata is ${Buffer.byteLength(json)} bytes; the limit is ${limits.maxMetadataBytes} (config limits.maxMetadataBytes).`,
    );
  }
  return JSON.parse(json) as Metadata;
}

export function checkImportance(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new MemoryError(
      'invalid_input',
      `importance must be a number between 0 and 1, got ${String(value)}.`,
    );
  }
  return value;
}

export function checkId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || id.trim() === '') {
    throw new MemoryError('invalid_input', 'A memory id is required (a UUID as returned by add or list).');
  }
}

/** The most memories one page, one search or one job listing returns. */
export const MAX_PAGE = 1000;

export function checkLimit(limit: unknown, max: number): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > max) {
    throw new MemoryError(
      'invalid_input',
      `limit must be a whole number from 1 to ${max}, got ${String(limit)}.`,
    );
  }
  return limit;
}

/**
 * The page size from `limit` or mem0's `topK` (either may be given; both only when equal), else
 * `fallback`.
 */
export function pageLimit(
  options: { limit?: unknown; topK?: unknown },
  fallback: number,
  max: number,
): number {
  const { limit, topK } = options;
  if (limit !== undefined && topK !== undefined && limit !== topK) {
    throw new MemoryError(
      'invalid_input',
      `limit (${String(limit)}) and topK (${String(topK)}) disagree; give one of them (topK is mem0's name for limit).`,
    );
  }
  const given = limit ?? topK;
  if (given === undefined) return fallback;
  if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > max) {
    throw new MemoryError(
      'invalid_input',
      `${limit === undefined ? 'topK' : 'limit'} must be a whole number from 1 to ${max}, got ${String(given)}.`,
    );
  }
  return given;
}

/** Rows to skip before a page (numbered pages); 0 when not given. */
export function checkOffset(offset: unknown): number {
  if (offset === undefined) return 0;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new MemoryError('invalid_input', `offset must be a whole number ≥ 0, got ${String(offset)}.`);
  }
  return offset;
}

const STATES: MemoryState[] = ['active', 'superseded', 'deleted'];

/** Memory states to list; active only when none are asked for. */
export function checkStates(states: unknown): MemoryState[] {
  if (states === undefined) return ['active'];
  if (!Array.isArray(states) || states.length === 0 || !states.every((s) => STATES.includes(s))) {
    throw new MemoryError('invalid_input', `states must be a non-empty list of ${STATES.join(', ')}.`);
  }
  return states;
}

export function checkThreshold(threshold: unknown): number | undefined {
  if (threshold === undefined) return undefined;
  if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 1)) {
    throw new MemoryError(
      'invalid_input',
      `threshold must be a number from 0 to 1, got ${String(threshold)}.`,
    );
  }
  return threshold;
}

export function checkTokenBudget(budget: unknown): number {
  if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1) {
    throw new MemoryError('invalid_input', `tokenBudget must be a whole number > 0, got ${String(budget)}.`);
  }
  return budget;
}

/** update() input: new text, or {text?, metadata?} with at least one of them. */
const EDIT_KEYS = ['text', 'metadata', 'replaceMetadata', 'eventTime', 'expirationDate', 'release'];

/** A user's edit, checked: new text and/or metadata, how metadata applies, when the change became true. */
export function checkEdit(input: unknown, limits: InputLimits): MemoryEdit {
  const patch = (typeof input === 'string' ? { text: input } : input) as
    | Record<string, unknown>
    | null
    | undefined;
  if (
    patch === null ||
    typeof patch !== 'object' ||
    Array.isArray(patch) ||
    (patch.text === undefined &&
      patch.metadata === undefined &&
      patch.expirationDate === undefined &&
      patch.release === undefined)
  ) {
    throw new MemoryError(
      'invalid_input',
      'update() takes new text, or {text?, metadata?, replaceMetadata?, eventTime?, expirationDate?, release?} with text, metadata, expirationDate or release.',
    );
  }
  const unknown = Object.keys(patch).filter((key) => !EDIT_KEYS.includes(key) && patch[key] !== undefined);
  if (unknown.length > 0) {
    throw new MemoryError(
      'invalid_input',
      `update() does not take ${unknown.join(', ')}; it takes ${EDIT_KEYS.join(', ')}.`,
      { details: { unknown } },
    );
  }
  if (patch.replaceMetadata !== undefined && typeof patch.replaceMetadata !== 'boolean') {
    throw new MemoryError('invalid_input', 'replaceMetadata must be true or false.');
  }
  if (patch.replaceMetadata === true && patch.metadata === undefined) {
    throw new MemoryError('invalid_input', 'replaceMetadata needs metadata: pass the new metadata object.');
  }
  if (patch.release !== undefined && typeof patch.release !== 'boolean') {
    throw new MemoryError('invalid_input', 'release must be true or false.');
  }
  const expiration = checkExpirationDate(patch.expirationDate);
  const metadata = patch.metadata === undefined ? undefined : checkMetadata(patch.metadata, limits);
  return {
    text: patch.text === undefined ? undefined : checkText(patch.text, limits, 'The new text').trim(),
    // The day is a metadata key: set it (or remove it: a null key is removed by the merge).
    metadata:
      expiration === undefined
        ? metadata
        : patch.replaceMetadata === true
          ? withExpiration(metadata ?? {}, expiration)
          : { ...metadata, [EXPIRATION_KEY]: expiration },
    replaceMetadata: patch.replaceMetadata === true,
    release: patch.release === true,
    eventTime:
      patch.eventTime === undefined
        ? undefined
        : parseTime(patch.eventTime as string | number | Date, 'eventTime'),
  };
}

/** A validated edit (see update/update-memory.ts). */
export interface MemoryEdit {
  text?: string | undefined;
  metadata?: Metadata | undefined;
  replaceMetadata: boolean;
  /** Lets a flagged or quarantined memory back into recall (its metadata.engram_safety says released). */
  release?: boolean | undefined;
  eventTime?: string | undefined;
}

/** Procedural memories belong to an agent. */
export function checkMemoryType(memoryType: MemoryType, agentId: string | null): MemoryType {
  if (memoryType === 'procedural' && !agentId) {
    throw new MemoryError(
      'invalid_input',
      'Procedural memories belong to an agent: pass agentId with memoryType "procedural".',
    );
  }
  return memoryType;
}
