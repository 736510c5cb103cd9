import { type ScopeIds, scopeIds } from '../../memory/resolve-scope.js';
import { MemoryError } from '../../spec/memory-error.js';

/** `--unscoped-into user=alice,agent=bot`: the scope for memories mem0 recorded none of. */
export function parseScopeFlag(text: string): ScopeIds {
  const fields: Record<string, string> = {};
  for (const part of text.split(',')) {
    const [key, ...rest] = part.split('=');
    const field = { user: 'user_id', agent: 'agent_id', run: 'run_id' }[key?.trim() ?? ''];
    if (field === undefined || rest.length === 0) {
      throw new MemoryError(
        'invalid_input',
        `--unscoped-into "${text}": write user=<id>, agent=<id> and/or run=<id>, separated by commas.`,
      );
    }
    fields[field] = rest.join('=');
  }
  return scopeIds(fields);
}
