import { type ErrorBody, errorPayload } from '../memory/access/error-payload.js';
import { HttpError } from './http-error.js';
import { REST_HINTS } from './rest-hints.js';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/**
 * The one place an error becomes an HTTP response: HTTP-level failures here, engine ones by
 * category, with hints in REST terms. An internal error's own words (file paths, SQLite's
 * messages) stay in the server log; the caller gets its code and a plain sentence.
 */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (error instanceof HttpError) {
    return {
      status: error.status,
      body: { error: { code: error.code, message: error.message, details: error.details ?? null } },
      headers: error.headers ?? {},
    };
  }
  return { ...errorPayload(error, { hints: REST_HINTS, hideInternal: true }), headers: {} };
}
