import type { ProviderHealth } from '../../spec/embedder.js';
import type { Store } from '../../spec/store.js';

/**
 * Whether the database opens, is an engram database and answers (the server's /ready). A read
 * only: a read-only database is ready, and probes leave nothing behind. Never throws.
 */
export async function checkDatabase(open: () => Promise<Store>): Promise<ProviderHealth> {
  try {
    const store = await open();
    return await store.health();
  } catch (error) {
    return { ok: false, detail: String((error as Error).message ?? error) };
  }
}
