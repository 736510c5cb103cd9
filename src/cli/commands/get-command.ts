import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { memoryDetail, printJson, printLines } from '../output.js';

export const getCommand: RegisterCommand = (program, context) => {
  program
    .command('get')
    .description('show one memory')
    .argument('<id>', 'memory id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const item = await withMemory(globals, context, (memory) => memory.get(id));
      if (globals.json) return printJson(context, item);
      printLines(context, memoryDetail(item));
    });
};
