export type { AnnOptions } from './ann-index.js';
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
