import type { AuditPage, AuditQuery, AuditStore, NewAuditEntry } from '../../spec/audit-log.js';
import {
  AUDIT_COLUMNS,
  type AuditRow,
  auditConditions,
  auditValues,
  checkAuditQuery,
  isoInstant,
  toAuditEntry,
} from '../shared/audit-rows.js';
import { encodeCursor } from '../shared/cursor.js';
import type { SqliteConnection } from './sqlite-connection.js';

/** The audit log in the `audit_log` table: appended in batches, read per tenant, purged by age. */
export class SqliteAudit implements AuditStore {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    this.#connection = connection;
  }

  async appendAudit(entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const rows = entries.map(auditValues);
    this.#connection.write(() => {
      const insert = this.#connection.db.prepare(
        `INSERT INTO audit_log(${AUDIT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const row of rows) insert.run(...row);
    });
  }

  async listAudit(tenant: string, query: AuditQuery): Promise<AuditPage> {
    const checked = checkAuditQuery(query);
    const conditions = auditConditions(tenant, checked);
    const rows = this.#connection.db
      .prepare(
        `SELECT seq, ${AUDIT_COLUMNS} FROM audit_log
         WHERE ${conditions.map(([column, op]) => `${column} ${op} ?`).join(' AND ')}
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(...conditions.map(([, , value]) => value), checked.limit + 1) as AuditRow[];
    const items = rows.slice(0, checked.limit).map(toAuditEntry);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > checked.limit && last ? encodeCursor(Number(last.id)) : null,
    };
  }

  async purgeAudit(tenant: string | null, before: string): Promise<number> {
    const cutoff = isoInstant(before, 'before');
    return this.#connection.write(() =>
      tenant === null
        ? this.#connection.db.prepare('DELETE FROM audit_log WHERE at < ?').run(cutoff).changes
        : this.#connection.db.prepare('DELETE FROM audit_log WHERE tenant = ? AND at < ?').run(tenant, cutoff)
            .changes,
    );
  }
}
