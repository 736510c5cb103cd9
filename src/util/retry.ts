import { MemoryError } from '../spec/memory-error.js';

export interface RetryOptions {
  /** Retries after the first attempt (so `maxRetries: 2` means at most 3 calls). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /**
   * A server's Retry-After longer than this is not waited out: the error is thrown so the caller (the ingest
   * queue) can reschedule instead of holding a request open for minutes.
   */
  maxRetryAfterMs?: number;
  signal?: AbortSignal;
  onRetry?: (error: MemoryError, attempt: number, delayMs: number) => void;
}

export const DEFAULT_RETRY = { maxRetries: 2, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/**
 * Calls `fn` until it succeeds, retrying only MemoryErrors marked `isRetryable`, with exponential backoff and
 * jitter (so many clients failing together do not retry in lockstep). A `retryAfterSeconds` in the error's
 * details (from the server's Retry-After header) replaces the computed delay.
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxRetries = options.maxRetries ?? DEFAULT_RETRY.maxRetries;
  const baseDelayMs = options.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs;
  const maxDelayMs = options.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_RETRY.maxRetryAfterMs;

  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      if (!MemoryError.is(error) || !error.isRetryable || attempt >= maxRetries) throw error;
      const retryAfterMs = retryAfterOf(error);
      if (retryAfterMs !== undefined && retryAfterMs > maxRetryAfterMs) throw error;
      const backoff = Math.min(maxDelayMs, baseDelayMs * 2 ** attempt);
      const delayMs = retryAfterMs ?? Math.round(backoff / 2 + Math.random() * (backoff / 2));
      options.onRetry?.(error, attempt + 1, delayMs);
      await sleep(delayMs, options.signal);
    }
  }
}

function retryAfterOf(error: MemoryError): number | undefined {
  const seconds = error.details?.retryAfterSeconds;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
