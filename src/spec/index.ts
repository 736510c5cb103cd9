export * from './chat-model.js';
export * from './embedder.js';
export * from './filter.js';
export * from './memory-error.js';
export * from './memory-record.js';
export * from './scope.js';
export * from './store.js';
export * from './provider-settings.js';
