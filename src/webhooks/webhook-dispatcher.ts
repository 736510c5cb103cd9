import { randomUUID } from 'node:crypto';
import type { WebhookRecord } from './webhook-registry.js';
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook-signature.js';

export interface DispatcherOptions {
  fetch?: typeof fetch;
  /** The wait before each retry; as many retries as entries. Default 0.5 s, 2 s, 8 s, 30 s. */
  retryDelaysMs?: readonly number[];
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** A delivery given up: every attempt failed, or the receiver refused it (a 4xx other than 408/425/429). */
  onGiveUp?: (failure: DeliveryFailure) => void;
  nowMs?: () => number;
}

export interface DeliveryFailure {
  webhookId: string;
  deliveryId: string;
  url: string;
  attempts: number;
  /** The last status, or null when no answer came (network error, timeout). */
  status: number | null;
  error: string | null;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 2_000, 8_000, 30_000];
const RETRYABLE_STATUS = new Set([408, 425, 429]);

/**
 * Posts webhook bodies off the request path, signed with the webhook's secret, retrying failures
 * with backoff. Deliveries live in this process: those still waiting for a retry when it stops
 * are dropped (`close()`), so delivery is at-least-once only while the server runs.
 */
export class WebhookDispatcher {
  readonly #fetch: typeof fetch;
  readonly #delays: readonly number[];
  readonly #timeoutMs: number;
  readonly #onGiveUp: (failure: DeliveryFailure) => void;
  readonly #nowMs: () => number;
  readonly #running = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(options: DispatcherOptions = {}) {
    this.#fetch = options.fetch ?? fetch;
    this.#delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#onGiveUp = options.onGiveUp ?? (() => undefined);
    this.#nowMs = options.nowMs ?? Date.now;
  }

  /** Queues one delivery and returns at once; the same delivery id is sent with every attempt. */
  deliver(hook: WebhookRecord, eventType: string, payload: Record<string, unknown>): void {
    if (this.#stop.signal.aborted) return;
    const deliveryId = randomUUID();
    const body = JSON.stringify({ ...payload, webhook_id: hook.id, delivery_id: deliveryId });
    const run = this.#run(hook, eventType, deliveryId, body).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Resolves when no delivery is running or waiting to retry (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Drops waiting retries and aborts attempts in flight. */
  close(): void {
    this.#stop.abort();
  }

  async #run(hook: WebhookRecord, eventType: string, deliveryId: string, body: string): Promise<void> {
    let last: { status: number | null; error: string | null } = { status: null, error: null };
    let attempts = 0;
    while (attempts <= this.#delays.length) {
      if (attempts > 0 && !(await this.#wait(this.#delays[attempts - 1]!))) return;
      last = await this.#attempt(hook, eventType, deliveryId, body);
      attempts += 1;
      if (last.status !== null && last.status >= 200 && last.status < 300) return;
      const retryable = last.status === null || last.status >= 500 || RETRYABLE_STATUS.has(last.status);
      if (!retryable || this.#stop.signal.aborted) break;
    }
    if (this.#stop.signal.aborted) return;
    this.#onGiveUp({ webhookId: hook.id, deliveryId, url: hook.url, attempts, ...last });
  }

  async #attempt(
    hook: WebhookRecord,
    eventType: string,
    deliveryId: string,
    body: string,
  ): Promise<{ status: number | null; error: string | null }> {
    const timestamp = Math.floor(this.#nowMs() / 1000);
    const signal = AbortSignal.any([this.#stop.signal, AbortSignal.timeout(this.#timeoutMs)]);
    try {
      const res = await this.#fetch(hook.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'engram-webhooks',
          'X-Engram-Event': eventType,
          'X-Engram-Delivery': deliveryId,
          'X-Engram-Webhook-Id': hook.id,
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(hook.secret, timestamp, body),
        },
        body,
        signal,
        // A signed body goes to the URL the webhook names, not wherever that URL redirects.
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      return { status: res.status, error: null };
    } catch (error) {
      return { status: null, error: String((error as Error)?.message ?? error) };
    }
  }

  /** Sleeps unless closed first; false when closed. The timer never keeps the process alive. */
  #wait(ms: number): Promise<boolean> {
    const signal = this.#stop.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      timer.unref();
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
