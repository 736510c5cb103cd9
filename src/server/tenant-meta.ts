import type { MetaStore } from '../spec/store.js';
import { ScopeLock } from '../util/scope-lock.js';

/**
 * One JSON value per kind and tenant in the store's meta table (mem0 project settings, export
 * requests). Changes are serialised per key in this process; two processes changing the same
 * key at the same moment can lose one change (last writer wins).
 */
export class TenantMeta {
  readonly #meta: () => Promise<MetaStore>;
  readonly #lock = new ScopeLock();

  constructor(meta: () => Promise<MetaStore>) {
    this.#meta = meta;
  }

  async read<T>(kind: string, tenant: string): Promise<T | null> {
    const raw = await (await this.#meta()).getMeta(key(kind, tenant));
    return raw ? (JSON.parse(raw) as T) : null;
  }

  async change<T, R>(
    kind: string,
    tenant: string,
    edit: (current: T | null) => { value: T; result: R },
  ): Promise<R> {
    return this.#lock.run(key(kind, tenant), async () => {
      const { value, result } = edit(await this.read<T>(kind, tenant));
      await (await this.#meta()).setMeta(key(kind, tenant), JSON.stringify(value));
      return result;
    });
  }
}

const key = (kind: string, tenant: string) => `mem0.${kind}\u001f${tenant}`;
