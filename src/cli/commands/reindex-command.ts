import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, printNote } from '../output.js';

export const reindexCommand: RegisterCommand = (program, context) => {
  program
    .command('reindex')
    .description('re-embed every memory with the configured embedder (after changing the model)')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const result = await withMemory(globals, context, (memory) =>
        // Progress goes to stderr so `--json` keeps stdout to one document.
        memory.reindex({ onProgress: (done) => printNote(context, `re-embedded ${done} memories`) }),
      );
      if (globals.json) return printJson(context, result);
      printLines(context, [
        `Re-embedded ${result.reembedded} memories with ${result.model} (${result.dimensions} dimensions).`,
      ]);
    });
};
