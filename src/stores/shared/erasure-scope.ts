import { MemoryError } from '../../spec/memory-error.js';
import type { ErasureScope } from '../../spec/store.js';

/** The scope's columns and values; at least one id, each a non-empty string. */
export function erasureColumns(
  scope: ErasureScope,
): { column: 'user_id' | 'agent_id' | 'run_id'; field: 'userId' | 'agentId' | 'runId'; value: string }[] {
  const columns = (
    [
      ['user_id', 'userId'],
      ['agent_id', 'agentId'],
      ['run_id', 'runId'],
    ] as const
  ).flatMap(([column, field]) => {
    const value = scope[field];
    return typeof value === 'string' && value !== '' ? [{ column, field, value }] : [];
  });
  if (columns.length === 0) {
    throw new MemoryError('scope_required', 'Erasure needs a scope: a user, agent or run id.', {
      hint: 'scope',
    });
  }
  return columns;
}
