import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { renderLocomoReport } from '../../eval/locomo/render-locomo-report.js';
import { runLocomoRetrieval } from '../../eval/locomo/run-locomo-retrieval.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { printJson, printNote } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';

/** Where the LoCoMo file sits next to a checkout (it is licensed CC BY-NC and never copied in). */
export const DEFAULT_LOCOMO_PATH = '../shared/data/locomo/locomo10.json';

/** `engram eval locomo --retrieval-only`: the LLM-free retrieval benchmark (docs/eval.md). */
export const evalCommand: RegisterCommand = (program, context) => {
  const evalGroup = program.command('eval').description('benchmarks anyone can rerun');
  evalGroup
    .command('locomo')
    .description('LoCoMo: evidence recall of retrieval over stored conversation turns')
    .option('--retrieval-only', 'score retrieval without an LLM (the mode that runs anywhere)')
    .option('--data <path>', 'locomo10.json', DEFAULT_LOCOMO_PATH)
    .option('--conversations <list>', 'comma-separated 1-based conversation numbers, e.g. 1,2')
    .option('--limit <n>', 'at most n questions per conversation')
    .option('--modes <list>', 'comma-separated modes (keyword, vector, hybrid, *_no_recency)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      if (options.retrievalOnly !== true) {
        throw new MemoryError(
          'invalid_input',
          'Only the retrieval benchmark is built so far: run `engram eval locomo --retrieval-only`.',
        );
      }
      const dataPath = resolve(context.io.cwd, String(options.data));
      if (!existsSync(dataPath)) {
        throw new MemoryError(
          'invalid_input',
          `No LoCoMo data at ${dataPath}. Pass --data <path to locomo10.json> (it is not shipped with engram).`,
        );
      }
      const report = await runLocomoRetrieval({
        dataPath,
        ...(typeof options.conversations === 'string'
          ? { conversations: parseList(options.conversations) }
          : {}),
        ...(typeof options.limit === 'string' ? { limit: parseIntegerFlag(options.limit, '--limit')! } : {}),
        ...(typeof options.modes === 'string'
          ? { modes: options.modes.split(',').map((m) => m.trim()) }
          : {}),
        onProgress: (line) => printNote(context, line),
      });
      if (globals.json) return printJson(context, report);
      context.io.stdout(`${renderLocomoReport(report)}\n`);
    });
};

function parseList(value: string): number[] {
  return value.split(',').map((part) => parseIntegerFlag(part.trim(), '--conversations')!);
}
