import { closeSync, openSync, readSync } from 'node:fs';
import type { StoreHealth } from '../../spec/store.js';
import { SCHEMA_VERSION } from './migrations.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { sqliteFailure } from './sqlite-failure.js';
import { schemaVersion } from './sqlite-migrator.js';

/** The first 16 bytes of a plain SQLite file (an encrypted one starts with its salt). */
export const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * The readiness check: cheap enough for a probe every few seconds, and a read only. It reads the
 * file's header from disk (SQLite's page cache would not notice a file overwritten under it) and
 * the schema version through SQLite. The page-by-page check is `PRAGMA quick_check` in stats().
 */
export function checkHealth(connection: SqliteConnection): StoreHealth {
  const { path } = connection;
  if (connection.closed) return { ok: false, detail: 'the store is closed' };
  const onDisk = path !== ':memory:' && path !== '';
  if (onDisk) {
    const header = readHeader(path);
    if (header instanceof Error) {
      return { ok: false, detail: `Cannot read the database file at ${path}: ${header.message}` };
    }
    const expected = connection.expectedHeader() ?? SQLITE_HEADER;
    if (!header.equals(expected)) {
      const what = connection.encrypted ? 'the salt it was opened with' : 'the SQLite header';
      return {
        ok: false,
        detail: `The file at ${path} no longer starts with ${what}: it was overwritten, truncated or re-keyed while engram ran. Restart engram (after \`engram rekey\`: with the new key), or restore the file from a backup.`,
      };
    }
  }
  try {
    const version = connection.read(() => schemaVersion(connection));
    if (version !== SCHEMA_VERSION) {
      return {
        ok: false,
        detail: `The database at ${path} is now at schema ${version}; this engram runs schema ${SCHEMA_VERSION}. Restart with the engram that migrated it.`,
      };
    }
    // /ready is unauthenticated: a healthy answer does not name the file.
    return {
      ok: true,
      detail: `SQLite, engram schema ${version}${connection.readOnly ? ', read-only' : ''}`,
    };
  } catch (error) {
    return { ok: false, detail: sqliteFailure(path, error, 'open').message };
  }
}

/** The file's first 16 bytes (fewer for a shorter file), or the error reading it. */
export function readHeader(path: string): Buffer | Error {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(SQLITE_HEADER.length);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n);
  } catch (error) {
    return error as Error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
