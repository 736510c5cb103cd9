import type { IndexProgress, IndexState } from '../../spec/index-outbox.js';
import type { IndexPoint } from '../../spec/vector-index.js';

/** A derived_indexes row with its pending count, as both stores select it. */
export interface IndexStateRow {
  name: string;
  built: number | boolean;
  dimensions: number | null;
  last_error: string | null;
  failures: number;
  registered_at: string | Date;
  updated_at: string | Date;
  pending: number | string;
  oldest: string | Date | null;
}

/** The columns a point is read from (the vector's column differs per store). */
export interface PointRow {
  id: string;
  tenant: string;
  version: number;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
}

/** A point from its row and the vector each store decodes from its own column type. */
export function toIndexPoint(row: PointRow, vector: Float32Array): IndexPoint {
  return {
    tenant: row.tenant,
    memoryId: row.id,
    version: row.version,
    userId: row.user_id,
    agentId: row.agent_id,
    runId: row.run_id,
    vector,
  };
}

const iso = (value: string | Date): string => (value instanceof Date ? value.toISOString() : value);

export function toIndexState(row: IndexStateRow): IndexState {
  return {
    name: row.name,
    pending: Number(row.pending),
    oldestPendingAt: row.oldest === null ? null : iso(row.oldest),
    built: Boolean(row.built),
    dimensions: row.dimensions,
    lastError: row.last_error,
    failures: Number(row.failures),
    registeredAt: iso(row.registered_at),
    updatedAt: iso(row.updated_at),
  };
}

/**
 * The SET list (each assignment followed by a comma) and its parameters for IndexProgress;
 * `placeholder(i)` writes the i-th (0-based) parameter's marker in the store's dialect.
 */
export function progressAssignments(
  progress: IndexProgress,
  placeholder: (i: number) => string,
): { sql: string; params: (string | number | boolean | null)[] } {
  const parts: string[] = [];
  const params: (string | number | boolean | null)[] = [];
  const set = (column: string, value: string | number | boolean | null) => {
    parts.push(`${column} = ${placeholder(params.length)}, `);
    params.push(value);
  };
  if (progress.built !== undefined) set('built', progress.built);
  if (progress.dimensions !== undefined) set('dimensions', progress.dimensions);
  if (progress.error === null) parts.push('last_error = NULL, failures = 0, ');
  else if (progress.error !== undefined) {
    set('last_error', progress.error.slice(0, 2000));
    parts.push('failures = failures + 1, ');
  }
  return { sql: parts.join(''), params };
}
