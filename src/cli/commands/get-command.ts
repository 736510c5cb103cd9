import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { memoryDetail, printJson, printLines } from '../output.js';

export const getCommand: RegisterCommand = (program, context) => {
  program
    .command('get')
    .description('show one memory: its current version, or the one true at --as-of')
    .argument('<id>', 'memory id')
    .option('--as-of <iso>', 'the version true at this time (ISO 8601)')
    .option('--known-at <iso>', 'as engram knew it at this time (ISO 8601)')
    .action(async (id: string, options: { asOf?: string; knownAt?: string }, command: Command) => {
      const globals = globalOptions(command);
      const item = await withMemory(globals, context, (memory) =>
        memory.get(id, {
          ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
          ...(options.knownAt === undefined ? {} : { knownAt: options.knownAt }),
        }),
      );
      if (globals.json) return printJson(context, item);
      printLines(context, memoryDetail(item));
    });
};
