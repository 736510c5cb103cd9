import type { EngramConfig } from '../config/engram-config.js';
import type { Engine, OpenEngine } from './engine.js';

/** What the Memory façade hands each module: one tenant's handle on the shared engine. */
export interface MemoryContext {
  readonly tenant: string;
  readonly config: EngramConfig;
  readonly engine: Engine;
  /** The opened engine; refuses with `closed` once this Memory is closed. */
  open(): Promise<OpenEngine>;
}
