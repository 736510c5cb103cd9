import type { MetaStore } from '../spec/store.js';
import { EVENT_TYPES, type MemoryEvent, memoryEventBody } from './memory-event.js';
import { QueuedAddWatch, type QueuedAddWatchOptions, type WatchedJob } from './queued-add-watch.js';
import { type DispatcherOptions, WebhookDispatcher } from './webhook-dispatcher.js';
import { WebhookRegistry } from './webhook-registry.js';

export interface WebhooksOptions extends DispatcherOptions, QueuedAddWatchOptions {
  /** Reports what could not be done off the request path (reading the webhooks, a delivery given up). */
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/**
 * mem0's project webhooks: the registry (per tenant, in the store's meta table), the dispatcher
 * (signed POSTs with retries) and the watch that fires a queued add's events once it has run.
 */
export class Webhooks {
  readonly registry: WebhookRegistry;
  readonly #dispatcher: WebhookDispatcher;
  readonly #watch: QueuedAddWatch;
  readonly #log: (msg: string, fields: Record<string, unknown>) => void;

  constructor(meta: () => Promise<MetaStore>, options: WebhooksOptions = {}) {
    this.#log = options.log ?? (() => undefined);
    this.registry = new WebhookRegistry(meta);
    this.#dispatcher = new WebhookDispatcher({
      ...options,
      onGiveUp: (failure) => {
        this.#log('webhook delivery given up', { ...failure });
        options.onGiveUp?.(failure);
      },
    });
    this.#watch = new QueuedAddWatch((tenant, events) => this.notify(tenant, events), options);
  }

  /** Whether an active webhook of the tenant listens for one of these events (callers skip reads otherwise). */
  async wants(tenant: string, ...events: MemoryEvent['event'][]): Promise<boolean> {
    try {
      const types = events.map((e) => EVENT_TYPES[e]);
      const hooks = await this.registry.list(tenant);
      return hooks.some((h) => h.active && h.eventTypes.some((t) => types.includes(t)));
    } catch (error) {
      this.#log('webhooks unreadable', { tenant, error: String(error) });
      return false;
    }
  }

  /**
   * Queues the events for every webhook subscribed to them. Never throws: the write they report
   * has happened, so a failure to read the webhooks is logged, not answered.
   */
  async notify(tenant: string, events: MemoryEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const hooks = (await this.registry.list(tenant)).filter((h) => h.active);
      for (const event of events) {
        const type = EVENT_TYPES[event.event];
        for (const hook of hooks) {
          if (hook.eventTypes.includes(type))
            this.#dispatcher.deliver(hook, type, memoryEventBody(event, tenant));
        }
      }
    } catch (error) {
      this.#log('webhooks unreadable', { tenant, error: String(error) });
    }
  }

  /** Fires the events of a queued add once a worker has run it. */
  watchJob(tenant: string, jobId: string, read: () => Promise<WatchedJob>): void {
    this.#watch.watch(tenant, jobId, read);
  }

  /** Reads watched jobs once now, then waits for every delivery (tests, shutdown). */
  async settle(): Promise<void> {
    await this.#watch.poll();
    await this.#dispatcher.idle();
  }

  close(): void {
    this.#watch.close();
    this.#dispatcher.close();
  }
}
