import Database from 'better-sqlite3';
import { MemoryError } from '../../spec/memory-error.js';
import type { Mem0HistoryRow, Mem0Message, Mem0Point, Mem0SourceData } from './mem0-records.js';

/** mem0's history tables: TypeScript (mem0ai/oss SQLiteManager) and Python (mem0/memory/storage.py). */
const HISTORY_TABLES = [
  {
    table: 'memory_history',
    columns: { memory_id: 'memory_id', old: 'previous_value', new: 'new_value', event: 'action' },
  },
  {
    table: 'history',
    columns: { memory_id: 'memory_id', old: 'old_memory', new: 'new_memory', event: 'event' },
  },
] as const;

type Row = Record<string, unknown>;

class SourceProblem extends Error {}

/**
 * Reads a mem0 SQLite file without changing it: opened read-only (SQLite then writes nothing, the
 * file's bytes and mtime stay as they were), every row read and checked before anything is
 * written to engram. A file may hold mem0's history, its vector store (mem0ai/oss's `memory`
 * provider: table `vectors` with a float32 blob and a JSON payload), its recent messages, or
 * several. Returns null for a file found in a directory that holds none of them; a file named
 * alone is refused instead, saying what it holds.
 */
export function readMem0Sqlite(spec: {
  given: string;
  path: string;
  inDirectory: boolean;
}): Mem0SourceData | null {
  const refuse = (why: string, cause?: unknown): never => {
    throw new MemoryError(
      'invalid_input',
      `${spec.path} (--from-mem0 ${spec.given}) ${why}. Nothing was imported.`,
      {
        cause,
        details: { source: spec.given, path: spec.path },
      },
    );
  };
  let db: Database.Database;
  try {
    db = new Database(spec.path, { readonly: true, fileMustExist: true });
  } catch (cause) {
    return refuse(`could not be opened read-only as a SQLite file (${messageOf(cause)})`, cause);
  }
  try {
    const tables = (
      db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]
    ).map((t) => t.name);
    const columns = (table: string) =>
      new Set(
        (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map(
          (c) => c.name,
        ),
      );
    const history = readHistory(db, tables, columns);
    const points = tables.includes('vectors') ? readVectors(db, columns('vectors')) : null;
    const messages = tables.includes('messages') ? readMessages(db, columns('messages')) : [];
    if (history === null && points === null) {
      if (spec.inDirectory) return null;
      refuse(
        `holds neither mem0's history (a memory_history or history table) nor its vector store (a vectors table); its tables: ${tables.join(', ') || 'none'}`,
      );
    }
    return { label: spec.given, points, history, messages };
  } catch (cause) {
    if (cause instanceof MemoryError) throw cause;
    if (cause instanceof SourceProblem) return refuse(cause.message);
    return refuse(`could not be read as a SQLite file (${messageOf(cause)})`, cause);
  } finally {
    db.close();
  }
}

function readHistory(
  db: Database.Database,
  tables: string[],
  columnsOf: (t: string) => Set<string>,
): Mem0HistoryRow[] | null {
  const found = HISTORY_TABLES.find((h) => tables.includes(h.table));
  if (!found) return null;
  const have = columnsOf(found.table);
  const missing = Object.values(found.columns).filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new SourceProblem(
      `has a ${found.table} table without the column(s) ${missing.join(', ')}, so it is not mem0's history`,
    );
  }
  const optional = (name: string) => (have.has(name) ? name : 'NULL');
  const { memory_id, old, new: next, event } = found.columns;
  const rows = db
    .prepare(
      `SELECT rowid AS position, ${memory_id} AS memory_id, ${old} AS old_text, ${next} AS new_text, ${event} AS event,
         ${optional('created_at')} AS created_at, ${optional('updated_at')} AS updated_at,
         ${optional('actor_id')} AS actor_id, ${optional('role')} AS role
       FROM ${found.table} ORDER BY rowid`,
    )
    .all() as Row[];
  return rows.map((row) => {
    if (typeof row.memory_id !== 'string' || row.memory_id === '') {
      throw new SourceProblem(`has a ${found.table} row (rowid ${String(row.position)}) without a memory_id`);
    }
    if (typeof row.event !== 'string') {
      throw new SourceProblem(`has a ${found.table} row (rowid ${String(row.position)}) without an event`);
    }
    return {
      memoryId: row.memory_id,
      event: row.event.toUpperCase(),
      oldText: textOrNull(row.old_text),
      newText: textOrNull(row.new_text),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      actorId: textOrNull(row.actor_id),
      role: textOrNull(row.role),
    };
  });
}

function readVectors(db: Database.Database, have: Set<string>): Mem0Point[] {
  const missing = ['id', 'vector', 'payload'].filter((c) => !have.has(c));
  if (missing.length > 0) {
    throw new SourceProblem(
      `has a vectors table without the column(s) ${missing.join(', ')}, so it is not mem0's vector store`,
    );
  }
  const rows = db.prepare('SELECT id, vector, payload FROM vectors ORDER BY rowid').all() as Row[];
  return rows.map((row) => {
    const id = String(row.id);
    let payload: unknown;
    try {
      payload = JSON.parse(String(row.payload));
    } catch {
      throw new SourceProblem(`holds vector ${id}, whose payload is not JSON`);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new SourceProblem(`holds vector ${id}, whose payload is not a JSON object`);
    }
    const vector = vectorOf(row.vector);
    if (vector === undefined) {
      throw new SourceProblem(
        `holds vector ${id}, whose vector is neither a float32 blob nor a JSON list of numbers`,
      );
    }
    return { id, payload: payload as Record<string, unknown>, vector };
  });
}

function readMessages(db: Database.Database, have: Set<string>): Mem0Message[] {
  // Only mem0's shape (id, session_scope, role, content, name, created_at); another table is not its log.
  if (!['id', 'session_scope', 'role', 'content'].every((c) => have.has(c))) return [];
  const optional = (name: string) => (have.has(name) ? name : 'NULL');
  const rows = db
    .prepare(
      `SELECT id, session_scope, role, content, ${optional('name')} AS name, ${optional('created_at')} AS created_at
       FROM messages ORDER BY ${have.has('created_at') ? 'created_at, ' : ''}rowid`,
    )
    .all() as Row[];
  return rows.map((row) => ({
    id: String(row.id),
    sessionScope: textOrNull(row.session_scope),
    role: textOrNull(row.role),
    content: textOrNull(row.content),
    name: textOrNull(row.name),
    createdAt: row.created_at,
  }));
}

/** mem0ai/oss writes float32 blobs; a JSON list (as hand-made stores may hold) is read too. */
function vectorOf(raw: unknown): number[] | null | undefined {
  if (Buffer.isBuffer(raw)) {
    if (raw.byteLength % 4 !== 0) return undefined;
    const floats = new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
    return floats.length > 0 ? Array.from(floats) : null;
  }
  if (typeof raw !== 'string') return undefined;
  try {
    const list: unknown = JSON.parse(raw);
    if (Array.isArray(list) && list.every((x) => typeof x === 'number')) return list.length > 0 ? list : null;
  } catch {
    // Not JSON: the caller refuses it.
  }
  return undefined;
}

function textOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
