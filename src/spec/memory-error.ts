/**
 * The one error type engram throws. `code` is stable (tests and clients match on it),
 * `category` decides the HTTP status and exit code in one place, and the message says how to fix it.
 */
export type ErrorCategory = 'user' | 'forbidden' | 'not_found' | 'conflict' | 'upstream' | 'internal';

export type ErrorCode =
  | 'invalid_input'
  | 'invalid_config'
  | 'invalid_filter'
  | 'text_too_long'
  | 'scope_required'
  | 'confirmation_required'
  | 'scope_forbidden'
  | 'admin_required'
  | 'not_found'
  | 'llm_not_configured'
  | 'embedder_unreachable'
  | 'embedder_error'
  | 'llm_unreachable'
  | 'llm_error'
  | 'llm_invalid_output'
  | 'index_unreachable'
  | 'index_error'
  | 'dimension_mismatch'
  | 'conflict'
  | 'store_error'
  | 'read_only'
  | 'listen_failed'
  | 'lease_lost'
  | 'closed';

/**
 * What the caller can do next, named rather than written out: the message stays the same for
 * every front end, and each front end adds the step in its own terms (CLI flags and commands,
 * REST fields and routes, MCP tool arguments).
 */
export type ErrorHint =
  | 'scope'
  | 'list_memories'
  | 'memory_versions'
  | 'list_jobs'
  | 'list_entities'
  | 'list_keys'
  | 'admin_key'
  | 'no_infer';

export interface MemoryErrorOptions {
  cause?: unknown;
  hint?: ErrorHint;
  isRetryable?: boolean;
  statusCode?: number;
  url?: string;
  responseBody?: string;
  details?: Record<string, unknown>;
}

const CATEGORY_BY_CODE: Record<ErrorCode, ErrorCategory> = {
  invalid_input: 'user',
  invalid_config: 'user',
  invalid_filter: 'user',
  text_too_long: 'user',
  scope_required: 'user',
  confirmation_required: 'user',
  scope_forbidden: 'forbidden',
  admin_required: 'forbidden',
  not_found: 'not_found',
  llm_not_configured: 'user',
  embedder_unreachable: 'upstream',
  embedder_error: 'upstream',
  llm_unreachable: 'upstream',
  llm_error: 'upstream',
  llm_invalid_output: 'upstream',
  index_unreachable: 'upstream',
  index_error: 'upstream',
  dimension_mismatch: 'conflict',
  conflict: 'conflict',
  store_error: 'internal',
  // The deployment refuses writes (a read-only file or store.readOnly): not the caller's bug, not ours.
  read_only: 'forbidden',
  // The address is taken or not ours to bind: the operator picks another (`--host`, `--port`).
  listen_failed: 'user',
  // Another worker took the job over after this one's lease ran out; this run's result is dropped.
  lease_lost: 'conflict',
  closed: 'user',
};

export class MemoryError extends Error {
  override readonly name = 'MemoryError';
  readonly code: ErrorCode;
  readonly category: ErrorCategory;
  readonly isRetryable: boolean;
  readonly statusCode: number | undefined;
  readonly url: string | undefined;
  readonly responseBody: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  /** The next step a front end words in its own terms after the message (see ErrorHint). */
  readonly hint: ErrorHint | undefined;

  constructor(code: ErrorCode, message: string, options: MemoryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.category = CATEGORY_BY_CODE[code];
    this.isRetryable = options.isRetryable ?? false;
    this.statusCode = options.statusCode;
    this.url = options.url;
    this.responseBody = options.responseBody;
    this.details = options.details;
    this.hint = options.hint;
  }

  static is(value: unknown, code?: ErrorCode): value is MemoryError {
    return value instanceof MemoryError && (code === undefined || value.code === code);
  }

  toJSON(): Record<string, unknown> {
    return { code: this.code, category: this.category, message: this.message, details: this.details };
  }
}
