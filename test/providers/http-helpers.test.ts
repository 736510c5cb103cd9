import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MemoryError } from '../../src/spec/memory-error.js';
import { parseBaseUrl } from '../../src/util/base-url.js';
import { isRetryableStatus, parseRetryAfter } from '../../src/util/http-errors.js';
import { getJson } from '../../src/util/http-json.js';
import type { HttpTarget } from '../../src/util/http-target.js';
import { readSseData } from '../../src/util/sse-data.js';
import { countChatTokens, countTokens } from '../../src/util/token-count.js';

const target = (fetch: HttpTarget['fetch']): HttpTarget => ({
  service: 'Svc',
  baseUrl: 'http://svc',
  unreachableHint: 'Start it.',
  codes: { unreachable: 'llm_unreachable', error: 'llm_error' },
  fetch,
  timeoutMs: 1_000,
});

async function* lines(...items: string[]): AsyncGenerator<string> {
  yield* items;
}

describe('http helpers', () => {
  it('marks 408, 409, 429 and 5xx retryable', () => {
    expect([400, 401, 404, 408, 409, 422, 429, 500, 503].filter(isRetryableStatus)).toEqual([
      408, 409, 429, 500, 503,
    ]);
  });

  it('parses Retry-After as seconds, milliseconds or a date', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after': '3' }))).toBe(3);
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(0.25);
    expect(
      parseRetryAfter(new Headers({ 'retry-after': new Date(Date.now() + 5_000).toUTCString() })),
    ).toBeGreaterThan(3);
    expect(parseRetryAfter(new Headers())).toBeUndefined();
  });

  it('validates only the fields it asks for and reports a mismatch as the error code', async () => {
    const schema = z.object({ value: z.number() });
    const ok = target(async () => Response.json({ value: 1, extra: 'ignored' }));
    expect(await getJson(ok, 'http://svc/x', schema)).toEqual({ value: 1 });
    const bad = target(async () => Response.json({ value: 'one' }));
    const error = await getJson(bad, 'http://svc/x', schema).catch((e: unknown) => e);
    expect(MemoryError.is(error, 'llm_error')).toBe(true);
    expect((error as MemoryError).message).toContain('value');
  });

  it('truncates large error bodies and keeps the upstream message', async () => {
    const huge = JSON.stringify({ error: { message: 'quota exceeded' }, padding: 'x'.repeat(10_000) });
    const error = (await getJson(
      target(async () => new Response(huge, { status: 402 })),
      'http://svc/x',
      z.object({}),
    ).catch((e: unknown) => e)) as MemoryError;
    expect(error.statusCode).toBe(402);
    expect(error.isRetryable).toBe(false);
    expect(error.message).toBe('Svc answered HTTP 402 to GET http://svc/x: quota exceeded');
    expect(error.responseBody!.length).toBeLessThan(2_100);
  });

  it('maps a thrown fetch to the unreachable code', async () => {
    const failing = target(async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo'), { code: 'ENOTFOUND' }),
      });
    });
    const error = (await getJson(failing, 'http://svc/x', z.object({})).catch(
      (e: unknown) => e,
    )) as MemoryError;
    expect(error.code).toBe('llm_unreachable');
    expect(error.isRetryable).toBe(true);
    expect(error.message).toBe('Could not reach Svc at http://svc (ENOTFOUND). Start it.');
  });

  it('reads SSE data fields, joining multi-line data and skipping comments', async () => {
    const events: string[] = [];
    for await (const data of readSseData(
      lines(': ping', 'data: a', '', 'event: x', 'data: b', 'data:c', '', 'data: [DONE]'),
    )) {
      events.push(data);
    }
    expect(events).toEqual(['a', 'b\nc', '[DONE]']);
  });

  it('parses base URLs with or without scheme and rejects junk', () => {
    expect(parseBaseUrl('localhost:11434/', 'x').href).toBe('http://localhost:11434/');
    expect(parseBaseUrl('https://h/v1//', 'x').pathname).toBe('/v1');
    expect(() => parseBaseUrl('ftp://h', 'x')).toThrow(MemoryError);
    expect(() => parseBaseUrl('http://', 'x')).toThrow(MemoryError);
  });

  it('counts tokens, treating special-token text as plain text', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('see <|endoftext|> here')).toBeGreaterThan(3);
    expect(countChatTokens([{ content: 'hello world' }, { content: '' }])).toBe(10);
  });
});
