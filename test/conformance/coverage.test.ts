import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/stores/postgres/pg-store.js';
import { SqliteStore } from '../../src/stores/sqlite/sqlite-store.js';

/** Every method of the Store contract is exercised by at least one conformance check. */
describe('conformance suite coverage', () => {
  it.each([
    ['SqliteStore', SqliteStore.prototype],
    ['PostgresStore', PostgresStore.prototype],
  ] as const)('calls every %s method somewhere in test/conformance', (_, prototype) => {
    // Methods only: a backend's own getters (SqliteStore.readOnly) are not part of the contract.
    const methods = Object.getOwnPropertyNames(prototype).filter(
      (name) =>
        name !== 'constructor' &&
        typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === 'function',
    );
    expect(methods.length).toBeGreaterThan(40);
    const dir = new URL('.', import.meta.url).pathname;
    const source = readdirSync(dir)
      .filter((file) => file.endsWith('-checks.ts') || file === 'conformance-kit.ts')
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .join('\n');
    const uncovered = methods.filter((name) => !new RegExp(`\\.${name}\\(`).test(source));
    expect(uncovered).toEqual([]);
  });
});
