import { type ErrorCategory, type ErrorHint, MemoryError } from '../../spec/memory-error.js';

/** What every front end answers a failure with: `{error: {code, message, details}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | null };
}

export interface ErrorPayload {
  /** The HTTP status of the error's category; MCP reports the same body, the server also the status. */
  status: number;
  body: ErrorBody;
}

/**
 * A front end's words for the next step an error names (`MemoryError.hint`): one sentence in its
 * own terms, appended to the message. A hint a front end has no words for adds nothing.
 */
export type HintWords = Partial<Record<ErrorHint, (error: MemoryError) => string>>;

export interface PayloadOptions {
  /** How this front end words hints. */
  hints?: HintWords;
  /**
   * Replace the message and details of an internal error (the store's: file paths, SQLite's own
   * words) with a plain sentence; the caller logs the original. For remote callers.
   */
  hideInternal?: boolean;
}

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  user: 400,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  upstream: 502,
  internal: 500,
};

/** The error's message followed by the front end's words for its hint, if any. */
export function withHint(error: MemoryError, hints: HintWords): string {
  const next = error.hint === undefined ? undefined : hints[error.hint]?.(error);
  return next ? `${error.message} ${next}` : error.message;
}

/**
 * The one place an engine error becomes a status and a body. Anything that is not a MemoryError
 * is a bug: its message stays out of the body (the caller logs it).
 */
export function errorPayload(error: unknown, options: PayloadOptions = {}): ErrorPayload {
  if (error instanceof MemoryError) {
    // An upstream that is down (rather than misbehaving) is "try again later".
    const status =
      error.category === 'upstream' && (error.code.endsWith('_unreachable') || error.isRetryable)
        ? 503
        : STATUS_BY_CATEGORY[error.category];
    if (error.category === 'internal' && options.hideInternal) {
      const message = error.isRetryable
        ? 'The server could not complete this now and nothing was saved; try again.'
        : 'The server failed to read or write its database and nothing was saved; its log has the details.';
      return { status, body: { error: { code: error.code, message, details: null } } };
    }
    return {
      status,
      body: {
        error: {
          code: error.code,
          message: withHint(error, options.hints ?? {}),
          details: error.details ?? null,
        },
      },
    };
  }
  return {
    status: 500,
    body: {
      error: { code: 'internal_error', message: 'Internal server error; see the server log.', details: null },
    },
  };
}
