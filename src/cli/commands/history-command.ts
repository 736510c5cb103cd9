import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { MEMORY_COLUMN_WIDTH, printJson, printLines, renderTable, truncate } from '../output.js';

const TEXT_WIDTH = Math.floor(MEMORY_COLUMN_WIDTH / 2);

export const historyCommand: RegisterCommand = (program, context) => {
  program
    .command('history')
    .description('show every change to one memory, newest first, with the version each concerns')
    .argument('<id>', 'memory id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const entries = await withMemory(globals, context, (memory) => memory.history(id));
      if (globals.json) return printJson(context, entries);
      printLines(
        context,
        renderTable(
          ['AT', 'EVENT', 'V', 'TRUE FROM', 'TRUE UNTIL', 'BY', 'OLD', 'NEW'],
          entries.map((e) => [
            e.created_at,
            e.event,
            String(e.version),
            e.valid_from ?? '-',
            e.valid_to ?? 'now',
            e.actor ?? '',
            e.old_memory === null ? '-' : truncate(e.old_memory, TEXT_WIDTH),
            e.new_memory === null ? '-' : truncate(e.new_memory, TEXT_WIDTH),
          ]),
        ),
      );
    });
};
