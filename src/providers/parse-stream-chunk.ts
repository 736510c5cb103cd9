import type { z } from 'zod';
import { MemoryError } from '../spec/memory-error.js';

/** One JSON chunk of a chat stream (an NDJSON line or an SSE data field), validated; failures are llm_error. */
export function parseStreamChunk<T>(schema: z.ZodType<T>, text: string, service: string, url: string): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new MemoryError('llm_error', `${service} sent a stream chunk that is not JSON from ${url}.`, {
      cause,
      url,
      responseBody: text.slice(0, 2_000),
    });
  }
  const result = schema.safeParse(parsed);
  if (!result.success) {
    throw new MemoryError('llm_error', `${service} sent an unexpected stream chunk from ${url}.`, {
      url,
      responseBody: text.slice(0, 2_000),
    });
  }
  return result.data;
}
