import { MemoryError } from '../../spec/memory-error.js';
import { MIGRATIONS, REQUIRED_TABLES, SCHEMA_VERSION } from './migrations.js';
import { inTransaction, type PgConnection, type PgQuery } from './pg-connection.js';
import { ensureVectorIndex } from './pg-vectors.js';

/**
 * Prepares the database: pgvector present (created when this user may), the schema is engram's
 * (or empty), the text search configuration is usable, and the migrations this schema has not
 * seen run in ONE transaction under an advisory lock keyed by the schema — a second process
 * starting at the same moment waits, then finds nothing left to do.
 */
export async function migrate(connection: PgConnection, language: string): Promise<void> {
  if (connection.readOnly) {
    await inspectReadOnly(connection);
    return;
  }
  const extensionSchema = await connection.withClient(async (q) => ensureVector(connection, q), 'open');
  connection.setExtensionSchema(extensionSchema);
  // All unseen migrations in ONE transaction, holding the schema's advisory lock.
  await connection.withClient(
    (q, client) =>
      inTransaction(client, 'BEGIN', async () => {
        await q.run('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
          'engram',
          connection.schema,
        ]);
        await q.run(`CREATE SCHEMA IF NOT EXISTS "${connection.schema}"`);
        const found = await inspect(connection, q);
        if (found > SCHEMA_VERSION) {
          throw new MemoryError(
            'store_error',
            `The PostgreSQL schema at ${connection.where} was written by a newer engram (schema ${found}, this one knows ${SCHEMA_VERSION}). Upgrade engram, or point store.schema at another schema.`,
            { details: { where: connection.where, found, known: SCHEMA_VERSION } },
          );
        }
        for (const migration of MIGRATIONS) {
          if (migration.version <= found) continue;
          await q.run(migration.sql);
          await q.run(
            `INSERT INTO meta(key, value) VALUES ('schema_version', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
            [String(migration.version)],
          );
        }
        await checkTables(connection, q);
        await applyLanguage(connection, q, language);
        await ensureVectorIndex(q);
      }),
    'open',
  );
}

/**
 * store.readOnly (a replica, a source being copied): nothing is created or migrated. The schema
 * must already be a current engram one; its recorded text search language is used as it is.
 */
async function inspectReadOnly(connection: PgConnection): Promise<void> {
  const extension = await connection.withClient((q) => extensionSchema(q), 'open');
  if (!extension) {
    throw new MemoryError(
      'store_error',
      `The database of ${connection.where} has no pgvector extension, and store.readOnly forbids creating it. Open it once without store.readOnly, or point at an engram database.`,
      { details: { where: connection.where } },
    );
  }
  connection.setExtensionSchema(extension);
  await connection.withClient(async (q) => {
    const found = await tables(connection, q);
    if (found.size === 0) {
      throw new MemoryError(
        'store_error',
        `There is no engram schema at ${connection.where} to open read-only: store.readOnly opens an existing one. Check store.schema (or --from-schema).`,
        { details: { where: connection.where } },
      );
    }
    const version = await inspect(connection, q);
    if (version !== SCHEMA_VERSION) {
      throw new MemoryError(
        'store_error',
        `The PostgreSQL schema at ${connection.where} is at engram schema ${version} and this engram needs ${SCHEMA_VERSION}, but it is opened read-only (store.readOnly), so it cannot be migrated. Open it once with an engram that may write it, then read-only again.`,
        { details: { where: connection.where, found: version, known: SCHEMA_VERSION } },
      );
    }
    await checkTables(connection, q);
  }, 'open');
}

/** The schema holding pgvector; created when missing and this user may. */
async function ensureVector(connection: PgConnection, q: PgQuery): Promise<string> {
  const installed = await extensionSchema(q);
  if (installed) return installed;
  const available = await q.one<{ name: string }>(
    `SELECT name FROM pg_available_extensions WHERE name = 'vector'`,
  );
  if (!available) {
    throw new MemoryError(
      'store_error',
      `The PostgreSQL server of ${connection.where} does not have the pgvector extension installed, which engram needs for vector search. Install pgvector on the server (a package such as postgresql-15-pgvector, or build it from source; managed services list it as "vector"), then start engram again.`,
      { details: { where: connection.where } },
    );
  }
  try {
    // Serialised: two processes creating it at once would collide on the catalog.
    await q.run('SELECT pg_advisory_lock(hashtext($1))', ['engram:create-extension']);
    await q.run('CREATE EXTENSION IF NOT EXISTS vector');
  } catch (cause) {
    throw new MemoryError(
      'store_error',
      `pgvector is installed on the server but not enabled in the database of ${connection.where}, and this user may not enable it (${(cause as Error).message}). Ask an administrator to run \`CREATE EXTENSION vector;\` in that database, then start engram again.`,
      { cause, details: { where: connection.where } },
    );
  } finally {
    await q.run('SELECT pg_advisory_unlock(hashtext($1))', ['engram:create-extension']).catch(() => {});
  }
  const created = await extensionSchema(q);
  if (!created) throw new MemoryError('store_error', 'CREATE EXTENSION vector did not create the extension.');
  return created;
}

async function extensionSchema(q: PgQuery): Promise<string | null> {
  const row = await q.one<{ schema: string }>(
    `SELECT n.nspname AS schema FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'vector'`,
  );
  return row?.schema ?? null;
}

async function tables(connection: PgConnection, q: PgQuery): Promise<Set<string>> {
  const rows = await q.rows<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1`,
    [connection.schema],
  );
  return new Set(rows.map((r) => r.name));
}

/** 0 for a new (or empty) schema; the recorded version of an engram one. */
async function inspect(connection: PgConnection, q: PgQuery): Promise<number> {
  const found = await tables(connection, q);
  if (found.size === 0) return 0;
  if (!found.has('meta')) {
    throw notEngram(connection, `it has tables (${[...found].slice(0, 5).join(', ')}) but no meta table`);
  }
  const row = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
  if (!row) throw notEngram(connection, 'its meta table records no schema_version');
  if (!/^\d{1,9}$/.test(row.value)) {
    throw new MemoryError(
      'store_error',
      `The PostgreSQL schema at ${connection.where} records meta.schema_version = ${JSON.stringify(row.value.slice(0, 40))}, which is not a schema number: it was changed by something other than engram. Restore it from a backup, or point store.schema at another schema.`,
      { details: { where: connection.where } },
    );
  }
  return Number(row.value);
}

/** The recorded schema version (stats, health). */
export async function schemaVersion(q: PgQuery): Promise<number> {
  const row = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
  return row ? Number(row.value) : 0;
}

async function checkTables(connection: PgConnection, q: PgQuery): Promise<void> {
  const found = await tables(connection, q);
  const missing = REQUIRED_TABLES.filter((t) => !found.has(t));
  if (missing.length > 0) {
    throw new MemoryError(
      'store_error',
      `The PostgreSQL schema at ${connection.where} is damaged: it records an engram schema but lacks the tables ${missing.join(', ')}. Restore it from a backup, or point store.schema at a new schema.`,
      { details: { where: connection.where, missing } },
    );
  }
}

/**
 * Fixes the text search configuration (store.language) the full-text index uses. A change of
 * language re-derives every indexed version's tsvector in the same transaction.
 */
async function applyLanguage(connection: PgConnection, q: PgQuery, language: string): Promise<void> {
  const known = await q.one<{ cfgname: string }>('SELECT cfgname FROM pg_ts_config WHERE cfgname = $1', [
    language,
  ]);
  if (!known) {
    const names = await q.rows<{ cfgname: string }>('SELECT cfgname FROM pg_ts_config ORDER BY cfgname');
    throw new MemoryError(
      'invalid_config',
      `store.language "${language}" is not a text search configuration of the PostgreSQL server at ${connection.where}. Known: ${names.map((n) => n.cfgname).join(', ')}.`,
      { details: { language, known: names.map((n) => n.cfgname) } },
    );
  }
  const current = await q.one<{ value: string }>(`SELECT value FROM meta WHERE key = 'text_search_config'`);
  if (current?.value === language) return;
  await q.run(
    `INSERT INTO meta(key, value) VALUES ('text_search_config', $1)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [language],
  );
  if (current) {
    await q.run(`UPDATE memory_versions SET tsv = to_tsvector(engram_text_config(), text) WHERE indexed`);
  }
}

function notEngram(connection: PgConnection, why: string): MemoryError {
  return new MemoryError(
    'store_error',
    `The PostgreSQL schema at ${connection.where} is not an engram one: ${why}. engram leaves it untouched. Point store.schema at an engram schema or at a new one.`,
    { details: { where: connection.where } },
  );
}
