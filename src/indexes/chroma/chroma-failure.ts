import { MemoryError } from '../../spec/memory-error.js';

const MAX_MESSAGE_CHARS = 500;
const START_HINT =
  'Start Chroma (e.g. `npx chroma run --path ./chroma-data --port 8000` or `docker run -p 8000:8000 chromadb/chroma`) or correct the index url.';
export const CHROMA_REINDEX = '`engram reindex --index chroma`';

/** The Chroma server and collection a call went to, for messages. */
export interface ChromaTarget {
  /** The effective base URL (scheme, host, port). */
  url: string;
  collection: string;
  timeoutMs: number;
}

/**
 * The chromadb client throws one class per HTTP status and drops the status itself (and, for a
 * failed connection, the fetch error): the class name is all that is left, so it is mapped back.
 * ChromaClientError covers both 400 and 422; its message starts "Bad request" for a 400.
 */
const STATUS_BY_NAME: Record<string, number> = {
  // ChromaUnauthorizedError names itself ChromaAuthError.
  ChromaAuthError: 401,
  ChromaUnauthorizedError: 401,
  ChromaForbiddenError: 403,
  ChromaNotFoundError: 404,
  ChromaUniqueError: 409,
  ChromaQuotaExceededError: 422,
  ChromaRateLimitError: 429,
};

/** The HTTP status of a failed call when the client's error tells it, else undefined. */
export function httpStatusOf(error: unknown): number | undefined {
  const name = errorName(error);
  if (name === undefined) return undefined;
  const known = STATUS_BY_NAME[name];
  if (known !== undefined) return known;
  const message = error instanceof Error ? error.message : '';
  if (name === 'ChromaClientError') return message.startsWith('Bad request') ? 400 : 422;
  // For other statuses the client keeps the body's message, or "503: Service Unavailable" without one.
  if (name === 'ChromaServerError') {
    const status = /^(\d{3}): /.exec(message)?.[1];
    return status === undefined ? undefined : Number(status);
  }
  return undefined;
}

/** A call that did not answer within timeoutMs (see ChromaIndex's deadline). */
export function chromaTimeout(target: ChromaTarget, doing: string): MemoryError {
  return new MemoryError(
    'index_unreachable',
    `Chroma at ${target.url} did not answer within ${target.timeoutMs} ms to ${doing}. Check that it runs and is not overloaded, or raise the index's timeoutMs.`,
    { isRetryable: true, url: target.url, details: { timeoutMs: target.timeoutMs } },
  );
}

/**
 * What a call to Chroma threw, as the MemoryError that says what to do. `doing` names the call
 * for the message ("write 3 points").
 */
export function chromaFailure(cause: unknown, target: ChromaTarget, doing: string): MemoryError {
  if (cause instanceof MemoryError) return cause;
  const name = errorName(cause);
  const said = truncate(cause instanceof Error ? cause.message : String(cause));
  if (name === 'ChromaConnectionError') {
    // Refused, reset, DNS failure or TLS failure: the client words them all alike.
    return new MemoryError(
      'index_unreachable',
      `Could not reach Chroma at ${target.url} to ${doing}. ${START_HINT}`,
      {
        cause,
        isRetryable: true,
        url: target.url,
      },
    );
  }
  const status = httpStatusOf(cause);
  if (status === undefined && name !== 'ChromaServerError') {
    // ChromaValueError and friends: the client refused the call before sending it.
    return new MemoryError('index_error', `Chroma's client refused to ${doing}: ${said}`, {
      cause,
      url: target.url,
    });
  }
  const options = {
    cause,
    statusCode: status,
    url: target.url,
    responseBody: said,
    isRetryable: status === undefined || status === 408 || status === 429 || status >= 500,
  };
  const where = `Chroma at ${target.url}`;
  if (status === 400 && /expecting embedding with dimension/i.test(said)) {
    return new MemoryError(
      'dimension_mismatch',
      `The Chroma collection ${target.collection} at ${target.url} holds vectors of another width (${said}). The embedding model changed: run ${CHROMA_REINDEX} to rebuild it.`,
      { ...options, isRetryable: false },
    );
  }
  if (status === 401 || status === 403) {
    return new MemoryError(
      'index_error',
      `${where} refused to let engram ${doing} (HTTP ${status}). Give the index the credentials this server expects.`,
      options,
    );
  }
  if (status === 404) {
    return new MemoryError(
      'index_error',
      `${where} has no collection ${target.collection} (while asked to ${doing}). Run ${CHROMA_REINDEX} to create and fill it.`,
      options,
    );
  }
  const shown = status === undefined ? 'an error' : `HTTP ${status}`;
  return new MemoryError('index_error', `${where} answered ${shown} to ${doing}: ${said}`, options);
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE_CHARS ? text : `${text.slice(0, MAX_MESSAGE_CHARS)}…`;
}
