import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines } from '../output.js';
import { readScope, withScopeOptions } from './scope-options.js';

export const deleteAllCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program.command('delete-all').description('delete every memory of a scope (a scope is required)'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const globals = globalOptions(command);
    const result = await withMemory(globals, context, (memory) => memory.deleteAll(readScope(options)));
    if (globals.json) return printJson(context, result);
    printLines(context, [result.message]);
  });
};
