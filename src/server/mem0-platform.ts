import type { Principal } from '../memory/access/principal.js';
import type { ScopedMemory } from '../memory/access/scoped-memory.js';
import type { Memory } from '../memory/memory.js';
import { Webhooks, type WebhooksOptions } from '../webhooks/webhooks.js';
import type { JsonLogger } from './json-logger.js';
import { MemoryExports } from './memory-exports.js';
import { PlatformScopedMemory } from './platform-scoped-memory.js';
import { Projects } from './project-settings.js';
import { TenantMeta } from './tenant-meta.js';

export interface Mem0PlatformOptions {
  memory: Memory;
  logger: JsonLogger;
  webhooks?: WebhooksOptions;
}

/**
 * What engram keeps per tenant for mem0's platform API — the project (custom instructions),
 * memory export requests and webhooks — in the store's meta table, keyed by tenant. One per app;
 * `close()` drops webhook deliveries still waiting.
 */
export class Mem0Platform {
  readonly projects: Projects;
  readonly exports: MemoryExports;
  readonly webhooks: Webhooks;

  constructor(options: Mem0PlatformOptions) {
    const { memory, logger } = options;
    // The Memory façade has no per-tenant settings API; these settings live in the store's meta table.
    const meta = () => memory.store();
    const now = () => memory.now();
    const tenantMeta = new TenantMeta(meta);
    this.projects = new Projects(tenantMeta, now);
    this.exports = new MemoryExports(tenantMeta, now);
    this.webhooks = new Webhooks(meta, {
      log: (msg, fields) => logger.error(msg, fields),
      ...options.webhooks,
    });
  }

  /** The view a key's requests use: its ScopedMemory with the project's features applied. */
  scoped(memory: Memory, principal: Principal): ScopedMemory {
    return new PlatformScopedMemory(memory, principal, this);
  }

  close(): void {
    this.webhooks.close();
  }
}
