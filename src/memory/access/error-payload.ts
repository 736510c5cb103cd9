import { type ErrorCategory, MemoryError } from '../../spec/memory-error.js';

/** What every front end answers a failure with: `{error: {code, message, details}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export interface ErrorPayload {
  /** The HTTP status of the error's category; MCP reports the same body, the server also the status. */
  status: number;
  body: ErrorBody;
}

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  user: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  upstream: 502,
  internal: 500,
};

/**
 * The one place an engine error becomes a status and a body. Anything that is not a MemoryError
 * is a bug: its message stays out of the body (the caller logs it).
 */
export function errorPayload(error: unknown): ErrorPayload {
  if (error instanceof MemoryError) {
    // An upstream that is down (rather than misbehaving) is "try again later".
    const status =
      error.category === 'upstream' && (error.code.endsWith('_unreachable') || error.isRetryable)
        ? 503
        : STATUS_BY_CATEGORY[error.category];
    return {
      status,
      body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
    };
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal_error', message: 'Internal server error; see the server log.', details: null },
    },
  };
}
