import type { Command } from 'commander';
import type { AddResult } from '../../memory/api-types.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { MEMORY_COLUMN_WIDTH, printJson, printLines, printNote, renderTable, truncate } from '../output.js';
import { parseJsonObjectFlag } from '../parse-flags.js';
import { readInput } from '../read-input.js';
import { readScope, withScopeOptions } from './scope-options.js';

export const addCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program.command('add').description('remember a text (distilled into facts by the LLM unless --no-infer)'),
  )
    .argument('<text>', 'what to remember, or - to read it from standard input')
    .option('--metadata <json>', 'metadata as a JSON object')
    .option('--no-infer', 'store the text as it is, without the LLM')
    .option('--event-time <iso>', 'when this was said or true (ISO 8601); default now')
    .option('--expires <day>', 'day (YYYY-MM-DD) after which these memories are hidden unless --show-expired')
    .action(async (text: string, options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const metadata = parseJsonObjectFlag(options.metadata as string | undefined, '--metadata');
      // `-`: the whole of standard input, a trailing newline dropped (`echo … | engram add -`).
      if (text === '-') text = readInput(context, '-').replace(/\r?\n$/, '');
      const result = await withMemory(globals, context, (memory) =>
        memory.add(text, {
          ...readScope(options),
          ...(metadata === undefined ? {} : { metadata }),
          infer: options.infer !== false,
          ...(typeof options.eventTime === 'string' ? { eventTime: options.eventTime } : {}),
          ...(typeof options.expires === 'string' ? { expirationDate: options.expires } : {}),
        }),
      );
      if (globals.json) return printJson(context, result);
      printAddResult(context, result);
    });
};

function printAddResult(context: CliContext, result: AddResult): void {
  // The message says what failed; the code is for programs (--json shows it).
  for (const error of result.errors ?? []) printNote(context, `not learnt yet: ${error.message}`);
  if (result.results.length === 0) {
    printLines(context, [
      result.status === 'pending' ? `Queued (job ${result.job_id ?? '?'}).` : 'Nothing new to remember.',
    ]);
    return;
  }
  printLines(
    context,
    renderTable(
      ['EVENT', 'ID', 'MEMORY'],
      result.results.map((r) => [r.event, r.id, truncate(r.memory, MEMORY_COLUMN_WIDTH)]),
    ),
  );
}
