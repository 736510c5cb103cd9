/**
 * The audit log (docs/security.md): who did what to which memories, when, with what outcome —
 * never the content. An entry carries ids, scope ids, numeric counts and codes only: no memory
 * text, no metadata values, no query strings, no filter values. Entries are written in batches
 * off the request path (memory/audit/audit-recorder.ts) and purged after `audit.retentionDays`.
 */

/** Which front end the call came through. */
export type AuditChannel = 'rest' | 'mcp' | 'cli' | 'library';

export const AUDIT_CHANNELS: readonly AuditChannel[] = ['rest', 'mcp', 'cli', 'library'];

export interface NewAuditEntry {
  tenant: string;
  /** When the operation ended (ISO 8601). */
  at: string;
  /** The API key's id; null for local callers (CLI, `engram mcp`, library) and `--no-auth`. */
  keyId: string | null;
  /** Who acted: `key:<id>`, `local:<os user>` for the CLI and `engram mcp`, `open` for `--no-auth`. */
  actor: string | null;
  channel: AuditChannel;
  /** `memory.add`, `memory.search`, `memory.erase`, `key.create`, … (docs/security.md lists them). */
  operation: string;
  /** The scope the call named or was pinned to (ids chosen by the caller, not content). */
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  /** Ids touched or returned: memory ids; a job id for a queued add; a key id for key operations. */
  targetIds: string[];
  /** Numbers only (an erasure's counts, a bulk delete's `deleted`); null when there are none. */
  counts: Record<string, number> | null;
  /** `ok`, or the error code the call failed with (`not_found`, `scope_forbidden`, …). */
  outcome: string;
}

export interface AuditEntry extends NewAuditEntry {
  /** Assigned by the store, increasing in the order entries were appended. */
  id: string;
}

export interface AuditQuery {
  /** Entries at or after this instant (ISO 8601). */
  since?: string | undefined;
  /** Entries before this instant (ISO 8601). */
  until?: string | undefined;
  keyId?: string | undefined;
  operation?: string | undefined;
  /** Only entries of this user / agent (a pinned admin reads its pin's entries only). */
  userId?: string | undefined;
  agentId?: string | undefined;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
}

export interface AuditPage {
  /** Newest first. */
  items: AuditEntry[];
  nextCursor: string | null;
}

/** The audit part of a store ('audit' capability): append-only apart from the retention purge. */
export interface AuditStore {
  /** Appends entries (each names its tenant) in one transaction. */
  appendAudit(entries: readonly NewAuditEntry[]): Promise<void>;
  /** One tenant's entries matching the query, newest first. */
  listAudit(tenant: string, query: AuditQuery): Promise<AuditPage>;
  /** Removes entries older than `before` of one tenant, or of every tenant (null); returns how many. */
  purgeAudit(tenant: string | null, before: string): Promise<number>;
}
