import { MemoryError } from '../../spec/memory-error.js';

const MAX_BODY_CHARS = 500;
const START_HINT = 'Start Qdrant (e.g. `docker run -p 6333:6333 qdrant/qdrant`) or correct the index url.';
const REINDEX = '`engram reindex --index qdrant`';

/** The Qdrant server and collection a call went to, for messages. */
export interface QdrantTarget {
  /** The effective base URL (scheme, host, port, prefix), never with credentials. */
  url: string;
  collection: string;
  timeoutMs: number;
}

/** An HTTP answer ≥ 400 as the client throws it (openapi-typescript-fetch's ApiError). */
interface ApiErrorLike {
  status: number;
  data: unknown;
}

/** The HTTP status of a failed call, or undefined when it never got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  if (isApiError(error)) return error.status;
  if (errorName(error) === 'QdrantClientResourceExhaustedError') return 429;
  return undefined;
}

/**
 * What a call to Qdrant threw, as the MemoryError that says what to do. `doing` names the call
 * for the message ("write 3 points"). Nothing here can show the apiKey: it is only in headers.
 */
export function qdrantFailure(cause: unknown, target: QdrantTarget, doing: string): MemoryError {
  if (cause instanceof MemoryError) return cause;
  if (isApiError(cause)) return httpFailure(cause, target, doing);
  const name = errorName(cause);
  if (name === 'QdrantClientResourceExhaustedError') {
    const retryAfter = (cause as { retry_after?: unknown }).retry_after;
    return new MemoryError(
      'index_error',
      `Qdrant at ${target.url} is rate limiting requests (HTTP 429) to ${doing}; try again later.`,
      {
        cause,
        isRetryable: true,
        statusCode: 429,
        url: target.url,
        details: typeof retryAfter === 'number' ? { retryAfterSeconds: retryAfter } : undefined,
      },
    );
  }
  if (name === 'QdrantClientTimeoutError') {
    return new MemoryError(
      'index_unreachable',
      `Qdrant at ${target.url} did not answer within ${target.timeoutMs} ms to ${doing}. Check that it runs and is not overloaded, or raise the index's timeoutMs.`,
      { cause, isRetryable: true, url: target.url, details: { timeoutMs: target.timeoutMs } },
    );
  }
  const code = networkErrorCode(cause);
  if (code !== undefined || (cause instanceof TypeError && /fetch failed/i.test(cause.message))) {
    return new MemoryError(
      'index_unreachable',
      `Could not reach Qdrant at ${target.url} to ${doing} (${code ?? describe(cause)}). ${START_HINT}`,
      { cause, isRetryable: true, url: target.url },
    );
  }
  // A 2xx other than 200/201 (QdrantClientUnexpectedResponseError) or a body without `result`.
  return new MemoryError(
    'index_error',
    `Qdrant at ${target.url} gave an unexpected answer to ${doing}: ${truncate(describe(cause))}`,
    { cause, url: target.url },
  );
}

function httpFailure(cause: ApiErrorLike, target: QdrantTarget, doing: string): MemoryError {
  const status = cause.status;
  const body = truncate(typeof cause.data === 'string' ? cause.data : (JSON.stringify(cause.data) ?? ''));
  const said = upstreamMessage(cause.data) ?? body;
  const options = {
    cause,
    statusCode: status,
    url: target.url,
    responseBody: body,
    isRetryable: status === 408 || status === 429 || status >= 500,
  };
  const where = `Qdrant at ${target.url}`;
  if (status === 401) {
    return new MemoryError(
      'index_error',
      `${where} refused the apiKey (HTTP 401: ${said}) when asked to ${doing}. Give the Qdrant index the key this server expects (its service.api_key), or none when the server has no key.`,
      options,
    );
  }
  if (status === 403) {
    return new MemoryError(
      'index_error',
      `${where} refused the apiKey for ${doing} on collection ${target.collection} (HTTP 403: ${said}). Use a key with read-write access to that collection.`,
      options,
    );
  }
  if (status === 404 && /doesn't exist|not found: collection/i.test(said)) {
    return new MemoryError(
      'index_error',
      `${where} has no collection ${target.collection} (while asked to ${doing}). Run ${REINDEX} to create and fill it.`,
      options,
    );
  }
  if (status === 400 && /vector dimension error/i.test(said)) {
    return new MemoryError(
      'dimension_mismatch',
      `The Qdrant collection ${target.collection} at ${target.url} holds vectors of another width (${said}). The embedding model changed: run ${REINDEX} to rebuild it.`,
      { ...options, isRetryable: false },
    );
  }
  return new MemoryError('index_error', `${where} answered HTTP ${status} to ${doing}: ${said}`, options);
}

function isApiError(error: unknown): error is ApiErrorLike {
  return (
    error instanceof Error && typeof (error as { status?: unknown }).status === 'number' && 'data' in error
  );
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Qdrant's error body is `{status: {error: "..."}}`; its auth layer answers in plain text. */
function upstreamMessage(data: unknown): string | undefined {
  if (typeof data === 'string') return data.trim() === '' ? undefined : truncate(data.trim());
  if (typeof data !== 'object' || data === null) return undefined;
  const status = (data as { status?: unknown }).status;
  if (typeof status !== 'object' || status === null) return undefined;
  const error = (status as { error?: unknown }).error;
  return typeof error === 'string' ? truncate(error) : undefined;
}

/** Node's fetch hides the errno (ECONNREFUSED) or undici's code (UND_ERR_SOCKET) in `cause`. */
function networkErrorCode(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 5) return undefined;
  const record = error as { code?: unknown; errors?: unknown; cause?: unknown };
  if (
    typeof record.code === 'string' &&
    /^(E(?!RR_)[A-Z_]+|UND_ERR_(SOCKET|CONNECT_TIMEOUT|CLOSED|DESTROYED))$/.test(record.code)
  )
    return record.code;
  if (Array.isArray(record.errors)) {
    for (const inner of record.errors) {
      const code = networkErrorCode(inner, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return networkErrorCode(record.cause, depth + 1);
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}

function truncate(text: string): string {
  return text.length <= MAX_BODY_CHARS ? text : `${text.slice(0, MAX_BODY_CHARS)}…`;
}
