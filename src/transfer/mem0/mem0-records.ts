/*
 * What engram reads from a mem0 installation, before it becomes engram rows: the raw shapes of
 * mem0's vector stores (a point: id, payload, vector), of its SQLite history table (TypeScript
 * `memory_history` or Python `history`, one row per ADD/UPDATE/DELETE) and of its small table of
 * recent messages. Readers fill these; mem0-to-bundles.ts turns them into MemoryBundles.
 */

/** One memory as a mem0 vector store holds it. */
export interface Mem0Point {
  /** mem0's memory id (a UUID), kept as engram's id. */
  id: string;
  payload: Record<string, unknown>;
  /** null when the store gave none (or one engram cannot use). */
  vector: number[] | null;
}

/** One row of mem0's history log, in the order mem0 wrote it. */
export interface Mem0HistoryRow {
  memoryId: string;
  /** ADD, UPDATE or DELETE (as mem0 wrote it, upper-cased). */
  event: string;
  oldText: string | null;
  newText: string | null;
  /** As stored (ISO text in either mem0); normalised later (mem0-time.ts). */
  createdAt: unknown;
  updatedAt: unknown;
  /** Python mem0 only: who said it and in which role. */
  actorId: string | null;
  role: string | null;
}

/** One row of mem0's `messages` table: the last messages of a session scope (mem0 keeps 10). */
export interface Mem0Message {
  id: string;
  /** `agent_id=…&run_id=…&user_id=…`, values %-escaped. */
  sessionScope: string | null;
  role: string | null;
  content: string | null;
  name: string | null;
  createdAt: unknown;
}

/** What one source gave: a vector store, a history log, messages, or several of them (one SQLite file may hold both). */
export interface Mem0SourceData {
  /** The source as the user named it (a path, or qdrant:… / chroma:…). */
  label: string;
  /** null: this source holds no vector store. */
  points: Mem0Point[] | null;
  /** null: this source holds no history. */
  history: Mem0HistoryRow[] | null;
  messages: Mem0Message[];
}

/** Why a record was not imported: a stable code (tests and scripts match on it) and the words. */
export type Mem0SkipCode =
  | 'entity_record'
  | 'no_text'
  | 'invalid_text'
  | 'invalid_metadata'
  | 'invalid_scope'
  | 'no_scope'
  | 'duplicate_text'
  | 'text_taken'
  | 'not_in_vector_store'
  | 'duplicate_id'
  | 'invalid_message';

export interface Mem0Skip {
  code: Mem0SkipCode;
  /** The memory (or message) id, when it has one. */
  id: string | null;
  source: string;
  reason: string;
}
