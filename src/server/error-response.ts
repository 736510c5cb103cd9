import { type ErrorCategory, MemoryError } from '../spec/memory-error.js';
import { HttpError } from './http-error.js';

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  user: 400,
  not_found: 404,
  conflict: 409,
  upstream: 502,
  internal: 500,
};

/** The one place an error becomes an HTTP status and a `{error: {code, message, details}}` body. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
      headers: error.headers ?? {},
    };
  }
  if (error instanceof MemoryError) {
    // An upstream that is down (rather than misbehaving) is "try again later".
    const status =
      error.category === 'upstream' && (error.code.endsWith('_unreachable') || error.isRetryable)
        ? 503
        : STATUS_BY_CATEGORY[error.category];
    return {
      status,
      body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
      headers: {},
    };
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal_error', message: 'Internal server error; see the server log.', details: null },
    },
    headers: {},
  };
}
