import { z } from 'zod';
import { MemoryError } from '../spec/memory-error.js';
import type { Metadata } from '../spec/memory-record.js';
import type { InputMessage } from './api-types.js';

export interface InputLimits {
  maxTextChars: number;
  maxMessages: number;
  maxMetadataBytes: number;
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
    checkText(parsed.data.content, limits, `Message ${i}`);
    return parsed.data;
  });
}

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
  return text;
}

export function checkMetadata(metadata: unknown, limits: InputLimits): Metadata {
  if (metadata === undefined || metadata === null) return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new MemoryError('invalid_input', 'metadata must be a JSON object, e.g. {"topic": "travel"}.');
  }
  let json: string;
  try {
    json = JSON.stringify(metadata);
  } catch (cause) {
    throw new MemoryError('invalid_input', 'metadata must be JSON-serialisable (no cycles, no BigInt).', {
      cause,
    });
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
