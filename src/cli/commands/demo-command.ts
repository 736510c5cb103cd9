import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { runDemo } from '../demo/run-demo.js';
import { configSources } from '../open-memory.js';

/** `engram demo`: the classic remember-me scenario across two processes. */
export const demoCommand: RegisterCommand = (program, context) => {
  program
    .command('demo')
    .description('show memory across processes: Sarah introduces herself, a new process remembers her')
    .addOption(hidden(program, '--phase <phase>', 'internal: which half of the demo to run'))
    .addOption(hidden(program, '--mode <mode>', 'internal: full or no-llm'))
    .addOption(hidden(program, '--keyword-only', 'internal: run without an embedder'))
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const { input, options: sources } = configSources(
        { ...globals, db: globals.db ?? 'engram-demo.db' },
        context,
      );
      const demoContext = { ...context, io: { ...context.io, env: sources.env } };
      if (options.phase === 'recall') {
        await runDemo(demoContext, {
          phase: 'recall',
          input,
          llm: options.mode === 'full',
          embedder: options.keywordOnly !== true,
        });
        return;
      }
      await runDemo(demoContext, { phase: 'all', input });
    });
};

function hidden(program: Command, flags: string, description: string) {
  const option = program.createOption(flags, description);
  option.hideHelp();
  return option;
}
