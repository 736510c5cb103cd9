import type { Mem0HistoryRow } from './mem0-records.js';
import { laterOf, normalizeTime } from './mem0-time.js';

/** A history row with the time its event happened (ISO), and whether mem0 recorded that time. */
export interface DatedEvent extends Mem0HistoryRow {
  /** null only when neither this row nor any row before it carries a time. */
  at: string | null;
  estimated: boolean;
}

/**
 * When each event of one history log happened. mem0 writes the memory's creation time on ADD
 * rows (created_at) and the change's time on UPDATE rows (updated_at; their created_at repeats
 * the creation time), but no time at all on DELETE rows. The log is in the order mem0 wrote it,
 * so an undated event happened no earlier than every time written before it: it is dated at the
 * latest of those (`estimated`), which keeps a deleted memory visible in `asOf` reads up to the
 * last moment the log proves it existed.
 */
export function dateHistory(rows: readonly Mem0HistoryRow[]): DatedEvent[] {
  let latest: string | null = null;
  return rows.map((row) => {
    const created = normalizeTime(row.createdAt);
    const updated = normalizeTime(row.updatedAt);
    const own = row.event === 'ADD' ? (created ?? updated) : updated;
    const at = own ?? latest;
    latest = laterOf(laterOf(latest, created), updated);
    return { ...row, at, estimated: own === null };
  });
}
