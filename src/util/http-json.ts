import type { z } from 'zod';
import { abortable } from './abortable.js';
import { badResponseError, httpStatusError, requestFailure } from './http-errors.js';
import type { HttpRequestOptions, HttpTarget } from './http-target.js';

export type { HttpFailure, HttpRequestOptions, HttpTarget } from './http-target.js';

/** POSTs `body` as JSON and returns the response validated by `schema` (which should name only used fields). */
export function postJson<T>(
  target: HttpTarget,
  url: string,
  body: unknown,
  schema: z.ZodType<T>,
  options: HttpRequestOptions = {},
): Promise<T> {
  return requestJson(target, 'POST', url, body, schema, options);
}

export function getJson<T>(
  target: HttpTarget,
  url: string,
  schema: z.ZodType<T>,
  options: HttpRequestOptions = {},
): Promise<T> {
  return requestJson(target, 'GET', url, undefined, schema, options);
}

async function requestJson<T>(
  target: HttpTarget,
  method: 'GET' | 'POST',
  url: string,
  body: unknown,
  schema: z.ZodType<T>,
  options: HttpRequestOptions,
): Promise<T> {
  const fetchFn = target.fetch ?? globalThis.fetch;
  // The timeout covers reading the body too, so a server that stalls mid-response is caught.
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;

  let text: string;
  try {
    const response = await abortable(
      fetchFn(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...target.headers,
        },
        body: body === undefined ? null : JSON.stringify(body),
        signal,
      }),
      signal,
    );
    if (!response.ok) throw await httpStatusError(target, method, url, response);
    text = await abortable(response.text(), signal);
  } catch (error) {
    throw requestFailure(error, target, method, url, timeout.aborted, options.signal);
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badResponseError(target, url, text, 'the body is not JSON');
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw badResponseError(target, url, text, describeIssues(result.error));
  return result.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
