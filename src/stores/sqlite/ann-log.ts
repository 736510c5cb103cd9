import type Database from 'better-sqlite3';

/**
 * Change log that keeps in-process ANN indexes in step with the file, written by triggers on the
 * vector copies (keyed by memory version seq) so that every writer (this process, another
 * process) records what it touched. Vectors are removed before their version rows, so a delete
 * still finds its partition. Only
 * partitions registered in ann_partitions (those large enough to get an ANN index) are logged.
 * Derived bookkeeping: dropping these tables loses nothing but the indexes' incremental catch-up.
 */
export const ANN_LOG_SCHEMA = `
CREATE TABLE IF NOT EXISTS ann_partitions (partition_key TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS ann_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  partition_key TEXT NOT NULL,
  memory_seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS ann_log_partition ON ann_log(partition_key, id);
CREATE TRIGGER IF NOT EXISTS ann_log_vector_insert AFTER INSERT ON memory_embeddings BEGIN
  INSERT INTO ann_log(partition_key, memory_seq) SELECT v.partition_key, new.seq FROM memory_versions v
  WHERE v.seq = new.seq AND v.partition_key IN (SELECT partition_key FROM ann_partitions);
END;
CREATE TRIGGER IF NOT EXISTS ann_log_vector_update AFTER UPDATE ON memory_embeddings BEGIN
  INSERT INTO ann_log(partition_key, memory_seq) SELECT v.partition_key, new.seq FROM memory_versions v
  WHERE v.seq = new.seq AND v.partition_key IN (SELECT partition_key FROM ann_partitions);
END;
CREATE TRIGGER IF NOT EXISTS ann_log_vector_delete AFTER DELETE ON memory_embeddings BEGIN
  INSERT INTO ann_log(partition_key, memory_seq) SELECT v.partition_key, old.seq FROM memory_versions v
  WHERE v.seq = old.seq AND v.partition_key IN (SELECT partition_key FROM ann_partitions);
END;
`;

/** Log entries kept behind the head; an index further behind than this rebuilds instead of catching up. */
const KEEP = 200_000;

/** Drops old entries and records the floor (called inside a write transaction). */
export function pruneAnnLog(db: Database.Database): void {
  const head = (db.prepare('SELECT coalesce(max(id), 0) AS head FROM ann_log').get() as { head: number })
    .head;
  const floor = head - KEEP;
  if (floor <= annLogFloor(db)) return;
  db.prepare('DELETE FROM ann_log WHERE id <= ?').run(floor);
  db.prepare(
    `INSERT INTO meta(key, value) VALUES ('ann_log_floor', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
  ).run(String(floor));
}

/** Entries at or below this id may be gone. */
export function annLogFloor(db: Database.Database): number {
  const row = db.prepare(`SELECT value FROM meta WHERE key = 'ann_log_floor'`).get() as
    | { value: string }
    | undefined;
  return row ? Number(row.value) : 0;
}
