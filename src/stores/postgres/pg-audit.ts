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
import type { PgConnection } from './pg-connection.js';

/** The audit log in the `audit_log` table: appended in batches, read per tenant, purged by age. */
export class PgAudit implements AuditStore {
  readonly #connection: PgConnection;

  constructor(connection: PgConnection) {
    this.#connection = connection;
  }

  /** One multi-row INSERT per batch (12 parameters a row; batches stay far below PostgreSQL's 65,535). */
  async appendAudit(entries: readonly NewAuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const perStatement = 1000;
    // Checked before the transaction: a bad entry is the caller's invalid_input, not a store_error.
    const rows = entries.map(auditValues);
    await this.#connection.write(async (q) => {
      for (let start = 0; start < rows.length; start += perStatement) {
        const chunk = rows.slice(start, start + perStatement);
        const params: unknown[] = [];
        const tuples = chunk.map((values) => {
          const base = params.length;
          params.push(...values);
          return `(${values
            .map((_, i) => {
              const n = `$${base + i + 1}`;
              return i === 1 ? `${n}::timestamptz` : i === 9 || i === 10 ? `${n}::jsonb` : n;
            })
            .join(', ')})`;
        });
        await q.run(`INSERT INTO audit_log(${AUDIT_COLUMNS}) VALUES ${tuples.join(', ')}`, params);
      }
    });
  }

  async listAudit(tenant: string, query: AuditQuery): Promise<AuditPage> {
    const checked = checkAuditQuery(query);
    const conditions = auditConditions(tenant, checked);
    const where = conditions
      .map(([column, op], i) => `${column} ${op} $${i + 1}${column === 'at' ? '::timestamptz' : ''}`)
      .join(' AND ');
    const rows = await this.#connection.withClient((q) =>
      q.rows<AuditRow>(
        `SELECT seq, ${AUDIT_COLUMNS} FROM audit_log WHERE ${where}
         ORDER BY seq DESC LIMIT $${conditions.length + 1}`,
        [...conditions.map(([, , value]) => value), checked.limit + 1],
      ),
    );
    const items = rows.slice(0, checked.limit).map(toAuditEntry);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > checked.limit && last ? encodeCursor(Number(last.id)) : null,
    };
  }

  async purgeAudit(tenant: string | null, before: string): Promise<number> {
    const cutoff = isoInstant(before, 'before');
    return this.#connection.write((q) =>
      tenant === null
        ? q.run('DELETE FROM audit_log WHERE at < $1::timestamptz', [cutoff])
        : q.run('DELETE FROM audit_log WHERE tenant = $1 AND at < $2::timestamptz', [tenant, cutoff]),
    );
  }
}
