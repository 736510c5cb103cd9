import { MemoryError } from '../../spec/memory-error.js';

const WHERE = 'config store.url, ENGRAM_PG_URL or DATABASE_URL';

/** The URL with its password replaced, fit for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/:[^:@/]*@/, ':***@');
  }
}

/** A write refused because the server (a replica, a read-only transaction) will not take it. */
export function readOnlyError(where: string, said: string, cause?: unknown): MemoryError {
  return new MemoryError(
    'read_only',
    `The PostgreSQL database at ${where} does not accept writes (${said}), so nothing was saved; reads still work. Point ${WHERE} at the primary to write.`,
    { cause, details: { where } },
  );
}

/** What a unique key of engram's schema protects, in words, by constraint or index name. */
const COLLISIONS = new Map<string, string>([
  ['memories_active_text', 'an active memory of the same scope with the same text'],
  ['memories_id_key', 'a memory already saved'],
  ['memory_versions_memory_id_version_key', 'a version of the same memory already saved'],
  ['jobs_idempotency', 'a queued add with the same idempotency key'],
  ['jobs_id_key', 'a job already queued'],
  ['messages_ref', 'a message already logged under the same reference'],
  ['api_keys_id_key', 'an API key already saved'],
  ['api_keys_hash_key', 'an API key already saved'],
]);

/**
 * What a PostgreSQL or connection error means for the person running engram, as a MemoryError
 * that says what to do. `doing`: connecting/migrating (open), a read, or a write (whose
 * transaction rolled back, so nothing was saved).
 */
export function pgFailure(where: string, cause: unknown, doing: 'open' | 'read' | 'write'): MemoryError {
  if (cause instanceof MemoryError) return cause;
  const error = cause as { code?: string; message?: string; constraint?: string } | null;
  const code = typeof error?.code === 'string' ? error.code : '';
  const said = `PostgreSQL: ${error?.message ?? String(cause)}`;
  const details = { where, sqlstate: /^[0-9A-Z]{5}$/.test(code) ? code : null, code: code || null };
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code)) {
    return new MemoryError(
      'store_error',
      `Cannot reach the PostgreSQL server at ${where} (${code}: ${error?.message ?? ''}). Check that it runs and that ${WHERE} names its host and port.`,
      { cause, details, isRetryable: true },
    );
  }
  if (/timeout expired|Connection terminated/i.test(error?.message ?? '')) {
    return new MemoryError(
      'store_error',
      `The PostgreSQL server at ${where} did not answer in time (${said}). Check that it runs and is reachable, and that the pool (store.pool) is not exhausted.`,
      { cause, details, isRetryable: true },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new MemoryError(
      'store_error',
      `PostgreSQL refused the login at ${where} (${said}). Check the user and password in ${WHERE}.`,
      { cause, details },
    );
  }
  if (code === '3D000') {
    return new MemoryError(
      'store_error',
      `The database named in ${where} does not exist (${said}). Create it (\`createdb <name>\`) or fix ${WHERE}.`,
      { cause, details },
    );
  }
  if (code === '42501') {
    return new MemoryError(
      'store_error',
      `The PostgreSQL user of ${where} lacks a privilege engram needs (${said}). Grant it CREATE on the database and USAGE, CREATE on the schema, or have an administrator run engram's migrations once.`,
      { cause, details },
    );
  }
  if (code === '25006') {
    return readOnlyError(where, said, cause);
  }
  if (code === '23505') {
    const constraint = error?.constraint ?? null;
    const what = (constraint && COLLISIONS.get(constraint)) ?? 'something saved before';
    return new MemoryError(
      'conflict',
      `Nothing was saved: the change collides with ${what}. Another request may have made the same change at the same time; read the current state before trying again.`,
      { cause, details: { constraint } },
    );
  }
  if (code === '22021' || code === '22P05') {
    return new MemoryError(
      'invalid_input',
      `PostgreSQL cannot store this text: it holds a NUL character (\\u0000) or bytes that are not UTF-8 (${said}). Remove the NUL characters and send the text again; nothing was saved.`,
      { cause, details },
    );
  }
  if (code === '40001' || code === '40P01' || code === '55P03' || code === '57014') {
    return new MemoryError(
      'store_error',
      `The database was busy and the change was not saved (${said}); try again.`,
      { cause, details, isRetryable: true },
    );
  }
  if (code.startsWith('08') || code === '57P01' || code === '57P03') {
    return new MemoryError(
      'store_error',
      `The connection to PostgreSQL at ${where} was lost (${said}). Check the server; engram reconnects on the next request.`,
      { cause, details, isRetryable: true },
    );
  }
  if (doing === 'open') {
    return new MemoryError(
      'store_error',
      `Cannot open the PostgreSQL store at ${where} (${said}). Check ${WHERE} and the server's log.`,
      { cause, details },
    );
  }
  if (doing === 'write') {
    return new MemoryError('store_error', `Database write failed and nothing was saved (${said}).`, {
      cause,
      details,
    });
  }
  return new MemoryError('store_error', `Database read failed (${said}).`, { cause, details });
}
