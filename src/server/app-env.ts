import type { ScopedMemory } from '../memory/access/scoped-memory.js';

/** What the middleware puts on every authenticated request's context. */
export interface AppEnv {
  Variables: {
    scoped: ScopedMemory;
  };
}
