import type { FilterNode } from '../spec/filter.js';
import { MemoryError } from '../spec/memory-error.js';
import type { ScopeOptions } from './api-types.js';

export interface ScopeIds {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
}

/** The scope id given camelCase or snake_case; an error names the field the caller used. */
function pick(
  camel: string | undefined,
  snake: string | undefined,
  names: [camel: string, snake: string],
): string | null {
  const value = camel ?? snake;
  if (value === undefined || value === null) return null;
  const name = camel === undefined || camel === null ? names[1] : names[0];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MemoryError('invalid_input', `${name} must be a non-empty string.`, {
      details: { field: name },
    });
  }
  if (value.length > 256) {
    throw new MemoryError('invalid_input', `${name} is longer than 256 characters.`, {
      details: { field: name },
    });
  }
  return value;
}

/** Reads userId/agentId/runId (camelCase or snake_case) from options. */
export function scopeIds(options: ScopeOptions | undefined): ScopeIds {
  return {
    userId: pick(options?.userId, options?.user_id, ['userId', 'user_id']),
    agentId: pick(options?.agentId, options?.agent_id, ['agentId', 'agent_id']),
    runId: pick(options?.runId, options?.run_id, ['runId', 'run_id']),
  };
}

export function requireScope(ids: ScopeIds, operation: string): ScopeIds {
  if (!ids.userId && !ids.agentId && !ids.runId) {
    throw new MemoryError('scope_required', `${operation} needs a scope: pass a user, agent or run id.`, {
      hint: 'scope',
    });
  }
  return ids;
}

export function scopeFilter(ids: ScopeIds): FilterNode | null {
  const children: FilterNode[] = [];
  if (ids.userId) children.push({ kind: 'scope', field: 'user_id', value: ids.userId });
  if (ids.agentId) children.push({ kind: 'scope', field: 'agent_id', value: ids.agentId });
  if (ids.runId) children.push({ kind: 'scope', field: 'run_id', value: ids.runId });
  if (children.length === 0) return null;
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** The key of one tenant's scope, for the per-scope lock (and comparing scopes when tenant is ''). */
export function scopeKey(tenant: string, ids: ScopeIds): string {
  return JSON.stringify([tenant, ids.userId, ids.agentId, ids.runId]);
}
