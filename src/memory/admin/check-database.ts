import type { ProviderHealth } from '../../spec/embedder.js';
import type { Store } from '../../spec/store.js';

/** Whether the database opens and takes a write (the server's /ready); never throws. */
export async function checkDatabase(open: () => Promise<Store>, now: string): Promise<ProviderHealth> {
  try {
    const store = await open();
    await store.setMeta('ready_probe', now);
    return { ok: true, detail: `${store.dialect} writable` };
  } catch (error) {
    return { ok: false, detail: String((error as Error).message ?? error) };
  }
}
