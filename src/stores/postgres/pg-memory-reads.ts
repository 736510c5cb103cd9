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
import { resolveWindow } from '../shared/time-window.js';
import type { PgQuery } from './pg-connection.js';
import { compileFilter } from './pg-filter.js';
import { numbered } from './pg-sql.js';
import { memoryWhere, versionJoin, versionPredicate } from './pg-window.js';

/**
 * Reads of memories, their versions and their history. Every query carries the tenant. Each
 * method takes the client it runs on (a pooled one, or the caller's transaction).
 */
export class PgMemoryReads {
  /** The memory (not deleted) with its current version; `lock` takes its row for a write. */
  async currentRow(
    q: PgQuery,
    tenant: string,
    id: string,
    lock = false,
  ): Promise<MemoryVersionRow | undefined> {
    return q.one<MemoryVersionRow>(
      `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE m.tenant = $1 AND m.id = $2 AND m.state <> 'deleted'
       ${lock ? 'FOR UPDATE OF m' : ''}`,
      [tenant, id],
    );
  }

  async getMemory(q: PgQuery, tenant: string, id: string, window?: TimeWindow): Promise<MemoryRecord | null> {
    const resolved = resolveWindow(window, new Date().toISOString());
    if (resolved === null) {
      const row = await this.currentRow(q, tenant, id);
      return row ? toMemoryRecord(row) : null;
    }
    const predicate = versionPredicate(resolved);
    const row = await q.one<MemoryVersionRow>(
      numbered(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(resolved)} WHERE m.tenant = ? AND m.id = ? AND ${predicate.sql}
         ORDER BY v.version DESC LIMIT 1`,
      ),
      [tenant, id, ...predicate.params],
    );
    return row ? toMemoryRecord(row) : null;
  }

  async getMemories(q: PgQuery, tenant: string, ids: string[], window?: TimeWindow): Promise<MemoryRecord[]> {
    if (ids.length === 0) return [];
    const resolved = resolveWindow(window, new Date().toISOString());
    const predicate =
      resolved === null ? { sql: `m.state <> 'deleted'`, params: [] } : versionPredicate(resolved);
    const rows = await q.rows<MemoryVersionRow>(
      numbered(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(resolved)}
         WHERE m.id = ANY(?::text[]) AND m.tenant = ? AND ${predicate.sql}`,
      ),
      [ids, tenant, ...predicate.params],
    );
    return rows.map(toMemoryRecord);
  }

  async findByHash(
    q: PgQuery,
    tenant: string,
    filter: FilterNode,
    hash: string,
  ): Promise<MemoryRecord | null> {
    const where = compileFilter(filter);
    const row = await q.one<MemoryVersionRow>(
      numbered(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)}
         WHERE m.tenant = ? AND m.hash = ? AND m.state = 'active' AND ${where.sql} LIMIT 1`,
      ),
      [tenant, hash, ...where.params],
    );
    return row ? toMemoryRecord(row) : null;
  }

  async listMemories(q: PgQuery, tenant: string, options: ListOptions): Promise<Page<MemoryRecord>> {
    const where = memoryWhere(tenant, options.filter, null, options.states);
    const after = options.cursor === undefined ? null : decodeCursor(options.cursor);
    const offset = checkOffset(options.offset);
    const total = await q.one<{ n: number }>(
      numbered(`SELECT count(*)::int AS n FROM memories m WHERE ${where.sql}`),
      where.params,
    );
    const rows = await q.rows<MemoryVersionRow>(
      numbered(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE ${where.sql} ${after === null ? '' : 'AND m.seq < ?'}
         ORDER BY m.seq DESC LIMIT ? OFFSET ?`,
      ),
      [...where.params, ...(after === null ? [] : [after]), options.limit + 1, offset],
    );
    const page = rows.slice(0, options.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toMemoryRecord),
      nextCursor: rows.length > options.limit && last ? encodeCursor(last.seq) : null,
      total: total?.n ?? 0,
    };
  }

  /** Rows of memories matching a scope filter (any state but deleted), locked for deleteMemories. */
  async matching(q: PgQuery, tenant: string, filter: FilterNode): Promise<MemoryVersionRow[]> {
    const where = memoryWhere(tenant, filter, null, ['active', 'superseded']);
    return q.rows<MemoryVersionRow>(
      numbered(
        `SELECT ${MEMORY_SELECT} FROM ${versionJoin(null)} WHERE ${where.sql} ORDER BY m.seq FOR UPDATE OF m`,
      ),
      where.params,
    );
  }

  async history(q: PgQuery, tenant: string, id: string): Promise<HistoryEntry[]> {
    const rows = await q.rows<HistoryRow>(
      `SELECT h.*, v.valid_from, v.valid_to, v.expired_at FROM history h
       LEFT JOIN memory_versions v ON v.memory_id = h.memory_id AND v.version = h.version
       WHERE h.tenant = $1 AND h.memory_id = $2 ORDER BY h.seq DESC`,
      [tenant, id],
    );
    return rows.map(toHistoryEntry);
  }

  async versions(q: PgQuery, tenant: string, id: string): Promise<MemoryVersion[]> {
    const rows = await q.rows<VersionRow>(
      `SELECT v.* FROM memories m JOIN memory_versions v ON v.memory_id = m.id
       WHERE m.tenant = $1 AND m.id = $2 AND m.state <> 'deleted' ORDER BY v.version DESC`,
      [tenant, id],
    );
    return rows.map(toMemoryVersion);
  }
}
