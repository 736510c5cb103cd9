import type { ScopedMemory } from './scoped-memory.js';

/** What the middleware puts on every authenticated request's context. */
export interface AppEnv {
  Variables: {
    scoped: ScopedMemory;
  };
}
