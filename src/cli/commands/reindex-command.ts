import type { Command } from 'commander';
import type { CliContext, GlobalOptions } from '../cli-context.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, printNote } from '../output.js';
import { ProgressBar } from '../progress-bar.js';

export const reindexCommand: RegisterCommand = (program, context) => {
  program
    .command('reindex')
    .description(
      're-embed every memory with the configured embedder (after changing the model); --index rebuilds a derived index',
    )
    .option(
      '--index <provider>',
      'rebuild the configured derived index (qdrant, chroma) from the store instead',
    )
    .action(async (options: { index?: string }, command: Command) => {
      const globals = globalOptions(command);
      if (options.index !== undefined) return rebuildIndex(context, globals, options.index);
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

async function rebuildIndex(context: CliContext, globals: GlobalOptions, provider: string): Promise<void> {
  const bar = new ProgressBar(context, `rebuilding ${provider}`);
  const result = await withMemory(globals, context, (memory) =>
    memory.indexes.rebuild(provider, (done, total) => bar.update(done, total)),
  );
  bar.finish(`rebuilt ${result.provider}: ${result.points} points`);
  if (globals.json) return printJson(context, result);
  printLines(context, [`Rebuilt the ${result.provider} index from the store: ${result.points} points.`]);
}
