export { PostgresStore, type PostgresStoreOptions } from './pg-store.js';
