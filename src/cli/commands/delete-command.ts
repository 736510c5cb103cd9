import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines } from '../output.js';

export const deleteCommand: RegisterCommand = (program, context) => {
  program
    .command('delete')
    .description('delete one memory')
    .argument('<id>', 'memory id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const result = await withMemory(globals, context, (memory) => memory.delete(id));
      if (globals.json) return printJson(context, result);
      printLines(context, [result.message]);
    });
};
