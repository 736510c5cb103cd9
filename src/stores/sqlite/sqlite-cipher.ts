import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Database from 'better-sqlite3';
import { MemoryError } from '../../spec/memory-error.js';
import { readHeader, SQLITE_HEADER } from './sqlite-health.js';

/**
 * Encryption at rest (docs/security.md): SQLite3 Multiple Ciphers, through the optional package
 * better-sqlite3-multiple-ciphers, in SQLCipher 4 format (AES-256-CBC with an HMAC-SHA512 per page,
 * PBKDF2-HMAC-SHA512 with 256,000 iterations over the passphrase). Every page the connection writes
 * is encrypted, the main file's, the WAL's and the shared-memory index's alike, so FTS5, sqlite-vec
 * and every query work unchanged. The format is SQLCipher's so the `sqlcipher` tool can also read
 * a file (`PRAGMA cipher_compatibility = 4`).
 */
export const CIPHER = { name: 'sqlcipher', legacy: 4, package: 'better-sqlite3-multiple-ciphers' } as const;

/** A passphrase and where it was configured (for messages: the passphrase itself is never shown). */
export interface EncryptionKey {
  passphrase: string;
  /** "store.encryptionKey" or "store.encryptionKeyFile (/path)". */
  source: string;
}

export interface EncryptionOptions {
  encryptionKey?: string | undefined;
  encryptionKeyFile?: string | undefined;
}

type DatabaseConstructor = typeof Database;
/** A connection of the cipher build: better-sqlite3's API plus `key`. */
export type CipherDatabase = Database.Database & { key(key: Buffer): number };

let cipherModule: DatabaseConstructor | undefined;

/** The passphrase from the options, or null when the file is not encrypted. */
export function resolveEncryptionKey(options: EncryptionOptions): EncryptionKey | null {
  const { encryptionKey, encryptionKeyFile } = options;
  if (encryptionKey !== undefined && encryptionKeyFile !== undefined) {
    throw new MemoryError(
      'invalid_config',
      'Both store.encryptionKey and store.encryptionKeyFile are set (or ENGRAM_ENCRYPTION_KEY and ENGRAM_ENCRYPTION_KEY_FILE): set only one of them.',
    );
  }
  if (encryptionKey !== undefined) {
    if (encryptionKey === '') throw emptyKey('store.encryptionKey (ENGRAM_ENCRYPTION_KEY) is empty');
    return { passphrase: encryptionKey, source: 'store.encryptionKey' };
  }
  if (encryptionKeyFile === undefined) return null;
  return {
    passphrase: readKeyFile(encryptionKeyFile),
    source: `store.encryptionKeyFile (${encryptionKeyFile})`,
  };
}

/** The first line of a key file; a trailing newline is not part of the key. */
export function readKeyFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new MemoryError(
      'invalid_config',
      `Cannot read the encryption key file ${path} (${(cause as NodeJS.ErrnoException).code ?? 'error'}): check store.encryptionKeyFile / ENGRAM_ENCRYPTION_KEY_FILE and that this process may read the file.`,
      { cause, details: { path } },
    );
  }
  const passphrase = text.split(/\r?\n/, 1)[0] ?? '';
  if (passphrase === '') throw emptyKey(`the key file ${path} is empty or starts with an empty line`);
  return passphrase;
}

function emptyKey(what: string): MemoryError {
  return new MemoryError(
    'invalid_config',
    `The encryption key is missing: ${what}. Put the passphrase there.`,
  );
}

/** The cipher build, loaded on the first encrypted open only (it is an optional dependency). */
export function loadCipherModule(source: string): DatabaseConstructor {
  if (cipherModule) return cipherModule;
  try {
    cipherModule = createRequire(import.meta.url)(CIPHER.package) as DatabaseConstructor;
    return cipherModule;
  } catch (cause) {
    throw new MemoryError(
      'invalid_config',
      `${source} asks for an encrypted database, which needs the optional package ${CIPHER.package} (SQLite built with encryption): run \`npm install ${CIPHER.package}\` (it compiles from source: a C compiler and Python are needed), or remove the key to use an unencrypted database.`,
      { cause, details: { package: CIPHER.package } },
    );
  }
}

/** Selects SQLCipher 4 pages and keys the main database: before any other statement. */
export function applyKey(db: CipherDatabase, passphrase: string | null): void {
  db.pragma(`cipher = '${CIPHER.name}'`);
  db.pragma(`legacy = ${CIPHER.legacy}`);
  if (passphrase !== null) db.key(Buffer.from(passphrase, 'utf8'));
}

/**
 * Opens `path` with the cipher build and the key, and proves the key by reading the schema before
 * anything can write: a wrong key, a key for a plain file or a file that is no database at all
 * fails here with the file untouched.
 */
export function openEncrypted(
  path: string,
  key: EncryptionKey,
  options: Database.Options,
  openFailure: (cause: unknown) => MemoryError,
): CipherDatabase {
  const onDisk = path !== ':memory:' && path !== '';
  if (!onDisk) {
    throw new MemoryError(
      'invalid_config',
      `${key.source} encrypts a database file; an in-memory database (${path || '""'}) has no file to encrypt. Remove the key or give store.path a file.`,
    );
  }
  const Cipher = loadCipherModule(key.source);
  if (isPlainSqlite(path)) {
    throw new MemoryError(
      'store_error',
      `The database at ${path} is not encrypted, but ${key.source} gives a key. To encrypt it, stop engram and run \`engram rekey --new-key-file <file> --yes\` without the key configured; or remove the key to use the file unencrypted. The file was not changed.`,
      { details: { path, encrypted: false } },
    );
  }
  let db: CipherDatabase;
  try {
    db = new Cipher(path, options) as CipherDatabase;
  } catch (cause) {
    throw openFailure(cause);
  }
  try {
    applyKey(db, key.passphrase);
    db.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (cause) {
    db.close();
    if ((cause as { code?: unknown }).code === 'SQLITE_NOTADB') throw wrongKey(path, key, cause);
    throw openFailure(cause);
  }
  return db;
}

/** Whether the file exists and starts with the plain SQLite header (an encrypted one starts with its salt). */
export function isPlainSqlite(path: string): boolean {
  const header = readHeader(path);
  return !(header instanceof Error) && header.equals(SQLITE_HEADER);
}

/** Whether the file exists and holds at least one byte. */
export function hasContent(path: string): boolean {
  try {
    return statSync(path).size > 0;
  } catch {
    return false;
  }
}

export function wrongKey(path: string, key: EncryptionKey, cause: unknown): MemoryError {
  return new MemoryError(
    'store_error',
    `Cannot decrypt the database at ${path} with the key from ${key.source}: the key is wrong, or the file is not an engram database. Use the key the file was encrypted with (\`engram rekey\` changes it). The file was not changed.`,
    { cause, details: { path, encrypted: true } },
  );
}
