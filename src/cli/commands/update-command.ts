import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { memoryDetail, printJson, printLines } from '../output.js';

export const updateCommand: RegisterCommand = (program, context) => {
  program
    .command('update')
    .description('replace the text of a memory (the old text stays in its history)')
    .argument('<id>', 'memory id')
    .argument('<text>', 'the new text')
    .action(async (id: string, text: string, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const item = await withMemory(globals, context, (memory) => memory.update(id, text));
      if (globals.json) return printJson(context, item);
      printLines(context, memoryDetail(item));
    });
};
