import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach } from 'vitest';
import { parseFilter } from '../../src/memory/filters/parse-filter.js';
import type { Filter } from '../../src/spec/filter.js';
import type { NewMemory, Store } from '../../src/spec/store.js';
import { textHash } from '../../src/util/text-hash.js';

export interface StoreFixture {
  store: Store;
  cleanup(): Promise<void>;
}

export type MakeFixture = () => Promise<StoreFixture>;

export const T = '2024-01-01T00:00:00.000Z';

/** A 4-d unit vector pointing mostly along `axis`, so nearest neighbours are predictable. */
export function axisVector(axis: number, wobble = 0): Float32Array {
  const v = new Float32Array(4);
  v[axis % 4] = 1;
  v[(axis + 1) % 4] = wobble;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export function newMemory(text: string, overrides: Partial<NewMemory> = {}): NewMemory {
  return {
    id: randomUUID(),
    userId: 'alice',
    agentId: null,
    runId: null,
    text,
    hash: textHash(text),
    metadata: {},
    importance: 0.5,
    memoryType: 'semantic',
    validFrom: T,
    embedding: axisVector(0),
    embeddingModel: 'test:model',
    at: T,
    ...overrides,
  };
}

export const f = (filter: Filter) => parseFilter(filter);
export const alice = () => f({ user_id: 'alice' });

/** A fresh, initialised store per test; `get()` returns it. */
export function useStore(makeFixture: MakeFixture): () => Store {
  let fixture: StoreFixture | undefined;
  beforeEach(async () => {
    fixture = await makeFixture();
    await fixture.store.init();
  });
  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });
  return () => {
    if (!fixture) throw new Error('no store: used outside a test');
    return fixture.store;
  };
}
