import type { Command } from 'commander';
import type { GetAllResult, MemoryItem } from '../../memory/api-types.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { MEMORY_COLUMN_WIDTH, printJson, printLines, renderTable, truncate } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';
import { readScope, withScopeOptions } from './scope-options.js';

export const listCommand: RegisterCommand = (program, context) => {
  withScopeOptions(program.command('list').description('list the memories of a scope, newest first'))
    .option('--limit <n>', 'memories per page (default 100)')
    .option('--cursor <c>', 'continue from a previous page (its next_cursor)')
    .option('--all', 'follow next_cursor to the end')
    .option('--show-expired', 'include memories past their expiration day')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const limit = parseIntegerFlag(options.limit as string | undefined, '--limit');
      const scope = readScope(options);
      const result = await withMemory(globals, context, async (memory): Promise<GetAllResult> => {
        let cursor = typeof options.cursor === 'string' ? options.cursor : undefined;
        const results: MemoryItem[] = [];
        for (;;) {
          const page = await memory.getAll({
            ...scope,
            ...(limit === undefined ? {} : { limit }),
            ...(cursor === undefined ? {} : { cursor }),
            ...(options.showExpired === true ? { showExpired: true } : {}),
          });
          results.push(...page.results);
          if (options.all !== true || page.next_cursor === null) {
            return { results, next_cursor: page.next_cursor, total: page.total };
          }
          cursor = page.next_cursor;
        }
      });
      if (globals.json) return printJson(context, result);
      if (result.results.length === 0) return printLines(context, ['No memories.']);
      printLines(context, [
        ...renderTable(
          ['ID', 'MEMORY', 'UPDATED'],
          result.results.map((item) => [
            item.id,
            truncate(item.memory, MEMORY_COLUMN_WIDTH),
            item.updated_at,
          ]),
        ),
        `${result.results.length} of ${result.total}` +
          (result.next_cursor === null ? '' : `; more with --cursor ${result.next_cursor} (or --all)`),
      ]);
    });
};
