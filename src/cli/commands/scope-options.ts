import type { Command } from 'commander';
import type { ScopeOptions } from '../../memory/api-types.js';

/** --user / --agent / --run; which of them are required is the engine's call, so its message is the one shown. */
export function withScopeOptions(command: Command): Command {
  return command
    .option('--user <id>', 'user id (scope)')
    .option('--agent <id>', 'agent id (scope)')
    .option('--run <id>', 'run / session id (scope)');
}

export function readScope(options: Record<string, unknown>): ScopeOptions {
  const scope: ScopeOptions = {};
  if (typeof options.user === 'string') scope.userId = options.user;
  if (typeof options.agent === 'string') scope.agentId = options.agent;
  if (typeof options.run === 'string') scope.runId = options.run;
  return scope;
}
