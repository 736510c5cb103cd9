import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { MemoryError } from '../../spec/memory-error.js';
import {
  applyKey,
  type CipherDatabase,
  type EncryptionKey,
  isPlainSqlite,
  loadCipherModule,
  openEncrypted,
  wrongKey,
} from './sqlite-cipher.js';
import { sqliteFailure } from './sqlite-failure.js';

export interface RekeyRequest {
  path: string;
  /** The key the file has now; null: it is not encrypted. */
  key: EncryptionKey | null;
  /** The key it gets; null: it is written back unencrypted. */
  newKey: EncryptionKey | null;
}

export interface RekeyOutcome {
  path: string;
  from: 'plain' | 'encrypted';
  to: 'plain' | 'encrypted';
  memories: number;
  bytes: number;
}

/**
 * Encrypts, re-keys or decrypts a whole SQLite file without ever changing it in place: a scratch
 * connection keyed like the target attaches the file with its current key and `VACUUM … INTO` a
 * new file next to it (SQLite3 Multiple Ciphers writes the copy with the main database's key, so
 * the copy is never plaintext unless decrypting), the copy is checked and synced, and only then
 * renamed over the original. Other writers are held off by a write lock during the copy, and a
 * file another process still has open (its -wal survives our close) is refused. Any failure before
 * the rename leaves the original as it was.
 */
export function rekeySqliteFile(request: RekeyRequest): RekeyOutcome {
  const { path, key, newKey } = request;
  if (key === null && newKey === null) {
    throw new MemoryError(
      'invalid_input',
      `The database at ${path} is not encrypted and no new key was given: pass --new-key-file to encrypt it.`,
    );
  }
  if (!existsSync(path) || statSync(path).size === 0) {
    throw new MemoryError('invalid_input', `There is no database at ${path} to re-key.`, {
      details: { path },
    });
  }
  if (key === null && !isPlainSqlite(path)) {
    throw new MemoryError(
      'store_error',
      `The database at ${path} is encrypted (or not SQLite), but no key is configured: set its current key in ENGRAM_ENCRYPTION_KEY or ENGRAM_ENCRYPTION_KEY_FILE, then run rekey again. The file was not changed.`,
      { details: { path, encrypted: true } },
    );
  }
  const from = key ? 'encrypted' : 'plain';
  const to = newKey ? 'encrypted' : 'plain';
  const copy = `${path}.rekey-${process.pid}.tmp`;
  const scratch = `${path}.rekey-${process.pid}.scratch`;
  const cleanUp = () => {
    for (const file of [copy, `${copy}-journal`, `${copy}-wal`, `${copy}-shm`, scratch])
      rmSync(file, { force: true });
  };
  cleanUp();
  try {
    const memories = copyWithKey(path, key, newKey, copy, scratch);
    const checked = checkCopy(copy, newKey, path);
    if (checked !== memories) {
      throw new MemoryError(
        'store_error',
        `The re-keyed copy of ${path} holds ${checked} memories, the original ${memories}; nothing was replaced. Run \`engram doctor\` on the original.`,
      );
    }
    syncFile(copy);
    if (existsSync(`${path}-wal`)) {
      throw new MemoryError(
        'store_error',
        `The database at ${path} is open in another process (its ${path}-wal remains): stop every engram using it (serve, mcp, workers) and run rekey again. The file was not changed.`,
        { details: { path } },
      );
    }
    renameSync(copy, path);
    rmSync(`${path}-shm`, { force: true });
    syncFile(dirname(path));
    return { path, from, to, memories, bytes: statSync(path).size };
  } finally {
    cleanUp();
  }
}

/** The VACUUM INTO under a write lock on the original; returns how many memories it held. */
function copyWithKey(
  path: string,
  key: EncryptionKey | null,
  newKey: EncryptionKey | null,
  copy: string,
  scratch: string,
): number {
  const Cipher = loadCipherModule('engram rekey');
  // Holds the original's write lock while the copy is made, so no write falls between the two.
  const locker = key
    ? openEncrypted(path, key, {}, (cause) => sqliteFailure(path, cause, 'open'))
    : (new Cipher(path) as CipherDatabase);
  const db = new Cipher(scratch) as CipherDatabase;
  try {
    locker.pragma('busy_timeout = 5000');
    applyKey(db, newKey?.passphrase ?? null);
    try {
      db.prepare('ATTACH ? AS source KEY ?').run(path, key?.passphrase ?? '');
      db.prepare('SELECT count(*) FROM source.sqlite_schema').get();
    } catch (cause) {
      if (key && (cause as { code?: unknown }).code === 'SQLITE_NOTADB') throw wrongKey(path, key, cause);
      throw sqliteFailure(path, cause, 'open');
    }
    const engram = db
      .prepare("SELECT 1 FROM source.sqlite_schema WHERE type = 'table' AND name IN ('meta', 'memories')")
      .all();
    if (engram.length < 2) {
      throw new MemoryError(
        'store_error',
        `The file at ${path} is not an engram database (no meta and memories tables); rekey only converts engram databases. The file was not changed.`,
      );
    }
    try {
      locker.exec('BEGIN IMMEDIATE');
    } catch (cause) {
      throw sqliteFailure(path, cause, 'write');
    }
    try {
      const { n } = db.prepare('SELECT count(*) AS n FROM source.memories').get() as { n: number };
      db.prepare('VACUUM source INTO ?').run(copy);
      return n;
    } finally {
      locker.exec('ROLLBACK');
    }
  } finally {
    db.close();
    locker.close();
  }
}

/** Opens the copy with the new key, checks every page, and leaves it in WAL mode like engram's files. */
function checkCopy(copy: string, newKey: EncryptionKey | null, path: string): number {
  const Cipher = loadCipherModule('engram rekey');
  const db = newKey
    ? openEncrypted(copy, newKey, {}, (cause) => sqliteFailure(copy, cause, 'open'))
    : (new Cipher(copy) as CipherDatabase);
  try {
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') {
      throw new MemoryError(
        'store_error',
        `The re-keyed copy of ${path} failed its check (${String(check)}); nothing was replaced.`,
      );
    }
    db.pragma('journal_mode = WAL');
    return (db.prepare('SELECT count(*) AS n FROM memories').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
