import { randomUUID } from 'node:crypto';
import { MemoryError } from '../spec/memory-error.js';
import type { MetaStore } from '../spec/store.js';
import { ScopeLock } from '../util/scope-lock.js';
import { newSigningSecret } from './webhook-signature.js';

/** The memory events a webhook can subscribe to (mem0's names). */
export const WEBHOOK_EVENT_TYPES = ['memory_add', 'memory_update', 'memory_delete'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** mem0 event types engram never emits: refused, so no subscription waits for what cannot come. */
const NEVER_EMITTED = new Map([
  ['memory_categorize', 'engram sets categories when it writes a memory, never afterwards'],
  ['ingest_job_completed', 'engram has no ingest jobs (mem0 file imports)'],
  ['ingest_job_partially_completed', 'engram has no ingest jobs (mem0 file imports)'],
  ['ingest_job_failed', 'engram has no ingest jobs (mem0 file imports)'],
  ['ingest_job_cancelled', 'engram has no ingest jobs (mem0 file imports)'],
]);

/** Webhooks one tenant may have: every write reads them, so the list stays short. */
export const MAX_WEBHOOKS = 20;

export interface WebhookRecord {
  id: string;
  name: string;
  url: string;
  eventTypes: WebhookEventType[];
  active: boolean;
  /** The HMAC-SHA256 signing secret (shown to the caller once, when the webhook is created). */
  secret: string;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInput {
  name?: unknown;
  url?: unknown;
  eventTypes?: unknown;
  active?: unknown;
}

const key = (tenant: string) => `mem0.webhooks\u001f${tenant}`;

/**
 * The webhooks of each tenant, one JSON list per tenant in the store's meta table. Changes are
 * serialised per tenant in this process; two processes changing one tenant's webhooks at the same
 * moment can lose one change (last writer wins).
 */
export class WebhookRegistry {
  readonly #meta: () => Promise<MetaStore>;
  readonly #now: () => string;
  readonly #lock = new ScopeLock();

  constructor(meta: () => Promise<MetaStore>, now: () => string = () => new Date().toISOString()) {
    this.#meta = meta;
    this.#now = now;
  }

  async list(tenant: string): Promise<WebhookRecord[]> {
    const raw = await (await this.#meta()).getMeta(key(tenant));
    return raw ? (JSON.parse(raw) as WebhookRecord[]) : [];
  }

  async create(tenant: string, input: WebhookInput): Promise<WebhookRecord> {
    return this.#change(tenant, (hooks) => {
      if (hooks.length >= MAX_WEBHOOKS) {
        throw new MemoryError(
          'invalid_input',
          `A project has at most ${MAX_WEBHOOKS} webhooks; delete one first.`,
          { details: { limit: MAX_WEBHOOKS } },
        );
      }
      const now = this.#now();
      const hook: WebhookRecord = {
        id: randomUUID(),
        name: checkName(input.name),
        url: checkUrl(input.url),
        eventTypes: checkEventTypes(input.eventTypes),
        active: input.active === undefined ? true : checkActive(input.active),
        secret: newSigningSecret(),
        createdAt: now,
        updatedAt: now,
      };
      return { hooks: [...hooks, hook], result: hook };
    });
  }

  async update(tenant: string, id: string, input: WebhookInput): Promise<WebhookRecord> {
    return this.#change(tenant, (hooks) => {
      const at = hooks.findIndex((h) => h.id === id);
      if (at < 0) throw webhookNotFound(id);
      const hook = hooks[at]!;
      const next: WebhookRecord = {
        ...hook,
        ...(input.name === undefined ? {} : { name: checkName(input.name) }),
        ...(input.url === undefined ? {} : { url: checkUrl(input.url) }),
        ...(input.eventTypes === undefined ? {} : { eventTypes: checkEventTypes(input.eventTypes) }),
        ...(input.active === undefined ? {} : { active: checkActive(input.active) }),
        updatedAt: this.#now(),
      };
      return { hooks: hooks.map((h, i) => (i === at ? next : h)), result: next };
    });
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.#change(tenant, (hooks) => {
      if (!hooks.some((h) => h.id === id)) throw webhookNotFound(id);
      return { hooks: hooks.filter((h) => h.id !== id), result: undefined };
    });
  }

  async #change<T>(
    tenant: string,
    edit: (hooks: WebhookRecord[]) => { hooks: WebhookRecord[]; result: T },
  ): Promise<T> {
    return this.#lock.run(tenant, async () => {
      const { hooks, result } = edit(await this.list(tenant));
      await (await this.#meta()).setMeta(key(tenant), JSON.stringify(hooks));
      return result;
    });
  }
}

export function webhookNotFound(id: string): MemoryError {
  return new MemoryError('not_found', `No webhook with id ${id}.`, { details: { id } });
}

function invalid(field: string, message: string): MemoryError {
  return new MemoryError('invalid_input', `${field} ${message}.`, {
    details: { fields: [{ path: field, message }] },
  });
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200) {
    throw invalid('name', 'must be non-empty text of at most 200 characters');
  }
  return name.trim();
}

function checkUrl(url: unknown): string {
  let parsed: URL | null = null;
  try {
    parsed = typeof url === 'string' && url.length <= 2000 ? new URL(url) : null;
  } catch {
    parsed = null;
  }
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalid('url', 'must be an http or https URL of at most 2000 characters');
  }
  return parsed.toString();
}

function checkActive(active: unknown): boolean {
  if (typeof active !== 'boolean') throw invalid('is_active', 'must be true or false');
  return active;
}

function checkEventTypes(types: unknown): WebhookEventType[] {
  if (!Array.isArray(types) || types.length === 0) {
    throw invalid('event_types', `must list one or more of ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  }
  const known = WEBHOOK_EVENT_TYPES as readonly unknown[];
  for (const type of types) {
    if (known.includes(type)) continue;
    const why = NEVER_EMITTED.get(String(type));
    throw invalid(
      'event_types',
      why === undefined
        ? `has an unknown type ${JSON.stringify(type)}; use ${WEBHOOK_EVENT_TYPES.join(', ')}`
        : `names ${String(type)}, which engram never sends: ${why}`,
    );
  }
  return [...new Set(types as WebhookEventType[])];
}
