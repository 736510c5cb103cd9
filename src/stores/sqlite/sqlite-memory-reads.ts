import type { FilterNode } from '../../spec/filter.js';
import type { HistoryEntry, MemoryRecord, MemoryVersion } from '../../spec/memory-record.js';
import type { ListOptions, Page, TimeWindow } from '../../spec/store.js';
import { decodeCursor, encodeCursor } from '../shared/cursor.js';
import {
  type HistoryRow,
  MEMORY_SELECT,
  type MemoryVersionRow,
  toHistoryEntry,
  toMemoryRecord,
  toMemoryVersion,
  type VersionRow,
} from '../shared/row-mapping.js';
import { checkOffset } from '../shared/store-rows.js';
import { type ResolvedWindow, resolveWindow } from '../shared/time-window.js';
import { compileFilter } from './compile-filter.js';
import type { SqliteConnection } from './sqlite-connection.js';
import { memoryWhere, versionJoin, versionPredicate } from './sqlite-window.js';

/** Reads of memories, their versions and their history. Every query carries the tenant. */
export class SqliteMemoryReads {
  readonly #db: SqliteConnection['db'];

  constructor(connection: SqliteConnection) {
    this.#db = connection.db;
  }

  /** The memory (not deleted) with its current version: the row writes start from. */
  currentRow(tenant: string, id: string): MemoryVersionRow | undefined {
    return this.#db
      .prepare(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE m.tenant = ? AND m.id = ? AND m.state <> 'deleted'`,
      )
      .get(tenant, id) as MemoryVersionRow | undefined;
  }

  getMemory(tenant: string, id: string, window?: TimeWindow): MemoryRecord | null {
    const resolved = resolveWindow(window, new Date().toISOString());
    if (resolved === null) {
      const row = this.currentRow(tenant, id);
      return row ? toMemoryRecord(row) : null;
    }
    const predicate = versionPredicate(resolved);
    const row = this.#db
      .prepare(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(resolved)} WHERE m.tenant = ? AND m.id = ? AND ${predicate.sql}
         ORDER BY v.version DESC LIMIT 1`,
      )
      .get(tenant, id, ...predicate.params) as MemoryVersionRow | undefined;
    return row ? toMemoryRecord(row) : null;
  }

  getMemories(tenant: string, ids: string[], window?: TimeWindow): MemoryRecord[] {
    if (ids.length === 0) return [];
    const resolved = resolveWindow(window, new Date().toISOString());
    const predicate =
      resolved === null ? { sql: `m.state <> 'deleted'`, params: [] } : versionPredicate(resolved);
    const rows = this.#db
      .prepare(
        // Id list first (CROSS JOIN fixes the order): one unique-index probe per id, never a scope scan.
        `SELECT ${MEMORY_SELECT} FROM json_each(?) AS j CROSS JOIN memories m ON m.id = j.value
         JOIN memory_versions v ON ${resolved === null ? 'v.seq = m.version_seq' : 'v.memory_id = m.id'}
         WHERE m.tenant = ? AND ${predicate.sql}`,
      )
      .all(JSON.stringify(ids), tenant, ...predicate.params) as MemoryVersionRow[];
    return rows.map(toMemoryRecord);
  }

  findByHash(tenant: string, filter: FilterNode, hash: string): MemoryRecord | null {
    const where = compileFilter(filter);
    const row = this.#db
      .prepare(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)}
         WHERE m.tenant = ? AND m.hash = ? AND m.state = 'active' AND ${where.sql} LIMIT 1`,
      )
      .get(tenant, hash, ...where.params) as MemoryVersionRow | undefined;
    return row ? toMemoryRecord(row) : null;
  }

  listMemories(tenant: string, options: ListOptions): Page<MemoryRecord> {
    const where = memoryWhere(tenant, options.filter, null, options.states);
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
    const offset = checkOffset(options.offset);
    const total = (
      this.#db
        .prepare(`SELECT count(*) AS n FROM ${versionJoin(null)} WHERE ${where.sql}`)
        .get(...where.params) as {
        n: number;
      }
    ).n;
    const rows = this.#db
      .prepare(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE ${where.sql} ${after === null ? '' : 'AND m.seq < ?'}
         ORDER BY m.seq DESC LIMIT ? OFFSET ?`,
      )
      .all(
        ...where.params,
        ...(after === null ? [] : [after]),
        options.limit + 1,
        offset,
      ) as MemoryVersionRow[];
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toMemoryRecord),
      nextCursor: rows.length > options.limit && last ? encodeCursor(last.seq) : null,
      total,
    };
  }

  /** Rows of memories matching a scope filter (any state but deleted), for deleteMemories. */
  matching(tenant: string, filter: FilterNode): MemoryVersionRow[] {
    const where = memoryWhere(tenant, filter, null, ['active', 'superseded']);
    return this.#db
      .prepare(`SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE ${where.sql}`)
      .all(...where.params) as MemoryVersionRow[];
  }

  history(tenant: string, id: string): HistoryEntry[] {
    const rows = this.#db
      .prepare(
        `SELECT h.*, v.valid_from, v.valid_to, v.expired_at FROM history h
         LEFT JOIN memory_versions v ON v.memory_id = h.memory_id AND v.version = h.version
         WHERE h.tenant = ? AND h.memory_id = ? ORDER BY h.seq DESC`,
      )
      .all(tenant, id) as HistoryRow[];
    return rows.map(toHistoryEntry);
  }

  versions(tenant: string, id: string): MemoryVersion[] {
    const rows = this.#db
      .prepare(
        `SELECT v.* FROM memories m JOIN memory_versions v ON v.memory_id = m.id
         WHERE m.tenant = ? AND m.id = ? AND m.state <> 'deleted' ORDER BY v.version DESC`,
      )
      .all(tenant, id) as VersionRow[];
    return rows.map(toMemoryVersion);
  }
}

export type { ResolvedWindow };
