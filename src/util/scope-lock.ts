/**
 * Serialises work per key inside one process (adds in one scope run one after another). Across
 * processes the store's `lockScope` (PostgreSQL's advisory locks) or, without one, its unique
 * index on active text is the backstop.
 */
export class ScopeLock {
  readonly #tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await next;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
