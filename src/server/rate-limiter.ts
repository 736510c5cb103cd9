export interface RateLimit {
  /** Sustained requests per second per key. */
  perSecond: number;
  /** Requests a key may make at once before the sustained rate applies. */
  burst: number;
}

/** A token bucket per key, in memory: enough for one process, which is what `engram serve` is. */
export class RateLimiter {
  readonly #limit: RateLimit;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limit: RateLimit) {
    this.#limit = limit;
  }

  /** Takes one token; when none is left, says how many seconds until one is. */
  take(key: string, nowMs: number): { ok: true } | { ok: false; retryAfterS: number } {
    const { perSecond, burst } = this.#limit;
    const bucket = this.#buckets.get(key) ?? { tokens: burst, at: nowMs };
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.at) / 1000) * perSecond);
    bucket.at = nowMs;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterS: Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond)) };
  }
}
