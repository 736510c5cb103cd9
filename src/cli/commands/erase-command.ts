import type { Command } from 'commander';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines } from '../output.js';
import { readScope, withScopeOptions } from './scope-options.js';

/**
 * `engram erase --user <id> --yes`: the right to be forgotten. Unlike `delete-all` (which keeps
 * history and tombstones), nothing of the scope remains, so it asks for --yes.
 */
export const eraseCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program
      .command('erase')
      .description(
        'erase every trace of a scope: memories, versions, history, messages, jobs, usage (irreversible)',
      )
      .option('--yes', 'confirm: the scope is erased for good, history included'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const globals = globalOptions(command);
    const scope = readScope(options);
    if (options.yes !== true) {
      throw new MemoryError(
        'confirmation_required',
        'erase removes every trace of the scope, history included, and cannot be undone: pass --yes to confirm (to keep history, use delete-all).',
      );
    }
    const counts = await withMemory(globals, context, (memory) => memory.data.erase(scope));
    if (globals.json) return printJson(context, counts);
    printLines(context, [
      `Erased ${counts.memories} memories (${counts.versions} versions, ${counts.history} history events), ${counts.messages} messages, ${counts.jobs} queued jobs and ${counts.usage} usage rows.`,
    ]);
  });
};
