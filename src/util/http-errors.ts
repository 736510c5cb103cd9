import { MemoryError } from '../spec/memory-error.js';
import type { HttpFailure, HttpTarget } from './http-target.js';

const MAX_BODY_CHARS = 2_000;
const MAX_MESSAGE_CHARS = 300;

/** Connection refused, DNS failure, reset or timeout: the service is not there (yet), so retrying may help. */
export function networkError(
  target: HttpTarget,
  method: string,
  url: string,
  cause: unknown,
  timedOut: boolean,
): MemoryError {
  const reason = timedOut
    ? `no answer within ${target.timeoutMs} ms`
    : (systemErrorCode(cause) ?? describe(cause));
  return new MemoryError(
    target.codes.unreachable,
    `Could not reach ${target.service} at ${target.baseUrl} (${reason}). ${target.unreachableHint}`,
    {
      cause,
      isRetryable: true,
      url,
      details: { method, ...(timedOut ? { timeoutMs: target.timeoutMs } : {}) },
    },
  );
}

/**
 * Turns whatever a request threw into what the caller should see: our own MemoryErrors and the caller's
 * abort pass through (a cancel is not the service's fault and must not be retried); the rest is network.
 */
export function requestFailure(
  error: unknown,
  target: HttpTarget,
  method: string,
  url: string,
  timedOut: boolean,
  callerSignal: AbortSignal | undefined,
): unknown {
  if (callerSignal?.aborted) return callerSignal.reason;
  if (MemoryError.is(error)) return error;
  return networkError(target, method, url, error, timedOut);
}

/** An HTTP status ≥ 400, read into a MemoryError that keeps the status, URL and (truncated) body. */
export async function httpStatusError(
  target: HttpTarget,
  method: string,
  url: string,
  response: Response,
): Promise<MemoryError> {
  const fullBody = await response.text().catch(() => '');
  const body = truncate(fullBody, MAX_BODY_CHARS);
  const failure: HttpFailure = {
    status: response.status,
    method,
    url,
    body,
    upstreamMessage: upstreamMessage(fullBody),
  };
  const detail = failure.upstreamMessage ?? (body.trim() || response.statusText);
  const message =
    target.describeHttpError?.(failure) ??
    `${target.service} answered HTTP ${response.status} to ${method} ${url}: ${truncate(detail, MAX_MESSAGE_CHARS)}`;
  const retryAfterSeconds = parseRetryAfter(response.headers);
  return new MemoryError(target.codes.error, message, {
    isRetryable: isRetryableStatus(response.status),
    statusCode: response.status,
    url,
    responseBody: body,
    details: { method, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) },
  });
}

/** A 2xx answer whose body is not what the wire format promises. */
export function badResponseError(
  target: HttpTarget,
  url: string,
  body: string,
  problem: string,
): MemoryError {
  return new MemoryError(
    target.codes.error,
    `${target.service} sent an unexpected response from ${url}: ${truncate(problem, MAX_MESSAGE_CHARS)}`,
    { url, responseBody: truncate(body, MAX_BODY_CHARS) },
  );
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Seconds to wait, from `retry-after-ms` (OpenAI), `retry-after` seconds, or `retry-after` HTTP date. */
export function parseRetryAfter(headers: Headers): number | undefined {
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms / 1000;
  const raw = headers.get('retry-after');
  if (raw === null) return undefined;
  const seconds = Number(raw.trim());
  if (raw.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}

function upstreamMessage(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (!isRecord(parsed)) return undefined;
    const error = parsed.error;
    if (typeof error === 'string') return error;
    if (isRecord(error) && typeof error.message === 'string') return error.message;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // Not JSON: the caller falls back to the raw body.
  }
  return undefined;
}

/** Node's fetch hides the errno (ECONNREFUSED, ENOTFOUND) in `cause`, sometimes inside an AggregateError. */
function systemErrorCode(error: unknown, depth = 0): string | undefined {
  if (!isRecord(error) || depth > 5) return undefined;
  if (typeof error.code === 'string' && /^E[A-Z_]+$/.test(error.code)) return error.code;
  if (Array.isArray(error.errors)) {
    for (const inner of error.errors) {
      const code = systemErrorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return systemErrorCode(error.cause, depth + 1);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
