import { dirname } from 'node:path';
import { MemoryError } from '../../spec/memory-error.js';

const WHERE = 'config store.path, dbPath or ENGRAM_DB';

/** SQLite's extended result code of a better-sqlite3 error ("SQLITE_READONLY_DIRECTORY"), or ''. */
export function sqliteCode(cause: unknown): string {
  const code = (cause as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : '';
}

/** A write refused because the file cannot be written (or the store was opened read-only). */
export function readOnlyError(path: string, why: string, cause?: unknown): MemoryError {
  return new MemoryError(
    'read_only',
    `The database at ${path} is read-only (${why}), so nothing was saved; reads still work. Send writes to an engram that may write the file, or give this process write permission on ${path} and its directory and do not set store.readOnly.`,
    { cause, details: { path } },
  );
}

/**
 * What a SQLite error means for the person running engram, as a MemoryError that says what to
 * do. `doing` is what failed: opening the file, or a write (whose transaction rolled back).
 */
export function sqliteFailure(path: string, cause: unknown, doing: 'open' | 'write'): MemoryError {
  if (cause instanceof MemoryError) return cause;
  const code = sqliteCode(cause);
  const said = `SQLite: ${(cause as Error)?.message ?? String(cause)}`;
  const details = { path, sqlite: code || null };
  if (code === 'SQLITE_NOTADB') {
    return new MemoryError(
      'store_error',
      `The file at ${path} is not a SQLite database, or it is encrypted (${said}). If engram encrypted it, set its key in ENGRAM_ENCRYPTION_KEY or ENGRAM_ENCRYPTION_KEY_FILE (config store.encryptionKey / store.encryptionKeyFile). Otherwise point ${WHERE} at an engram database, or move this file away to start a new one.`,
      { cause, details },
    );
  }
  if (code.startsWith('SQLITE_CORRUPT')) {
    return new MemoryError(
      'store_error',
      `The database at ${path} is damaged (${said}). Restore it from a backup (or try \`sqlite3 ${path} .recover\`), or move it away to start a new one.`,
      { cause, details },
    );
  }
  if (code === 'SQLITE_READONLY_DIRECTORY' || (doing === 'open' && code.startsWith('SQLITE_CANTOPEN'))) {
    return new MemoryError(
      'store_error',
      `Cannot use the database at ${path} (${said}). SQLite keeps its write-ahead log and index (${path}-wal, ${path}-shm) next to the file, so this process must be able to create files in ${dirname(path)}, even to read. Make that directory writable for this process, or copy the database to a directory it may write.`,
      { cause, details },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) return readOnlyError(path, said, cause);
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    return collision(cause);
  }
  if (doing === 'open') {
    return new MemoryError(
      'store_error',
      `Cannot open the database at ${path} (${said}). Check ${WHERE} and the file's permissions.`,
      { cause, details },
    );
  }
  const hint =
    code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')
      ? `Check the free space and health of the disk holding ${path}.`
      : code.startsWith('SQLITE_BUSY')
        ? 'Another process held the write lock past the busy timeout; try again.'
        : `Check the disk and permissions of ${path}.`;
  return new MemoryError('store_error', `Database write failed and nothing was saved (${said}). ${hint}`, {
    cause,
    details,
    isRetryable: code.startsWith('SQLITE_BUSY'),
  });
}

/** What a unique key of engram's schema protects, in words, by index or table name. */
const COLLISIONS = new Map<string, string>([
  ['memories_active_text', 'an active memory of the same scope with the same text'],
  ['memories', 'a memory already saved'],
  ['memory_versions', 'a version of the same memory already saved'],
  ['jobs_idempotency', 'a queued add with the same idempotency key'],
  ['jobs', 'a job already queued'],
  ['messages_ref', 'a message already logged under the same reference'],
  ['messages', 'a message already logged'],
  ['api_keys', 'an API key already saved'],
]);

/**
 * A unique key refused the write: what was there already, in plain words, as `conflict` (409, a
 * state the caller can re-read), never SQLite's "UNIQUE constraint failed: …". The engine checks
 * before it writes, so this is a race with another writer or a check that was missed.
 */
function collision(cause: unknown): MemoryError {
  const said = (cause as Error)?.message ?? '';
  // "UNIQUE constraint failed: index 'memories_active_text'" or "…: api_keys.id, api_keys.tenant"
  const name = /constraint failed: (?:index '([^']+)'|(\w+)\.)/.exec(said);
  const constraint = name?.[1] ?? name?.[2] ?? null;
  const what = (constraint && COLLISIONS.get(constraint)) ?? 'something saved before';
  return new MemoryError(
    'conflict',
    `Nothing was saved: the change collides with ${what}. Another request may have made the same change at the same time; read the current state before trying again.`,
    { cause, details: { constraint } },
  );
}
