import { describe, expect, it } from 'vitest';
import { MemoryError } from '../../src/spec/memory-error.js';
import { withRetry } from '../../src/util/retry.js';

const retryable = (details?: Record<string, unknown>) =>
  new MemoryError('embedder_unreachable', 'down', { isRetryable: true, ...(details ? { details } : {}) });

function failingTimes(times: number, error: () => unknown) {
  let calls = 0;
  const fn = async () => {
    calls += 1;
    if (calls <= times) throw error();
    return 'ok';
  };
  return { fn, calls: () => calls };
}

describe('withRetry', () => {
  it('retries retryable MemoryErrors and returns the first success', async () => {
    const { fn, calls } = failingTimes(2, () => retryable());
    expect(await withRetry(fn, { maxRetries: 3, baseDelayMs: 1 })).toBe('ok');
    expect(calls()).toBe(3);
  });

  it('stops after maxRetries and throws the last error', async () => {
    const { fn, calls } = failingTimes(10, () => retryable());
    await expect(withRetry(fn, { maxRetries: 2, baseDelayMs: 1 })).rejects.toThrow('down');
    expect(calls()).toBe(3);
  });

  it('does not retry non-retryable MemoryErrors or other errors', async () => {
    const fatal = failingTimes(1, () => new MemoryError('embedder_error', 'bad request'));
    await expect(withRetry(fatal.fn, { baseDelayMs: 1 })).rejects.toThrow('bad request');
    expect(fatal.calls()).toBe(1);
    const bug = failingTimes(1, () => new TypeError('bug'));
    await expect(withRetry(bug.fn, { baseDelayMs: 1 })).rejects.toThrow('bug');
    expect(bug.calls()).toBe(1);
  });

  it('backs off exponentially with jitter, capped at maxDelayMs', async () => {
    const delays: number[] = [];
    const { fn } = failingTimes(4, () => retryable());
    await withRetry(fn, {
      maxRetries: 4,
      baseDelayMs: 4,
      maxDelayMs: 12,
      onRetry: (_e, _a, ms) => delays.push(ms),
    });
    // attempt n waits between half and all of min(max, base·2^n)
    const caps = [4, 8, 12, 12];
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(caps[i]! / 2);
      expect(delay).toBeLessThanOrEqual(caps[i]!);
    });
  });

  it('waits the Retry-After the server asked for', async () => {
    const { fn } = failingTimes(1, () => retryable({ retryAfterSeconds: 0.15 }));
    const delays: number[] = [];
    const started = Date.now();
    await withRetry(fn, { baseDelayMs: 1, onRetry: (_e, _a, ms) => delays.push(ms) });
    expect(delays).toEqual([150]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('throws instead of waiting out an unreasonably long Retry-After', async () => {
    const { fn, calls } = failingTimes(1, () => retryable({ retryAfterSeconds: 3600 }));
    await expect(withRetry(fn, { baseDelayMs: 1 })).rejects.toThrow('down');
    expect(calls()).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const { fn, calls } = failingTimes(5, () => retryable());
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 20);
    await expect(
      withRetry(fn, { baseDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow('cancelled');
    expect(calls()).toBe(1);
  });
});
