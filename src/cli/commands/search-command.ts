import type { Command } from 'commander';
import type { SearchResult } from '../../memory/api-types.js';
import type { Filter } from '../../spec/filter.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import {
  formatScore,
  MEMORY_COLUMN_WIDTH,
  printJson,
  printLines,
  printNote,
  renderTable,
  truncate,
} from '../output.js';
import { parseIntegerFlag, parseJsonObjectFlag, parseNumberFlag } from '../parse-flags.js';
import { readScope, withScopeOptions } from './scope-options.js';

export const searchCommand: RegisterCommand = (program, context) => {
  withScopeOptions(program.command('search').description('find the memories most relevant to a query'))
    .argument('<query>', 'what to look for')
    .option('--limit <n>', 'most results to return')
    .option('--threshold <x>', 'minimum score, 0..1')
    .option('--explain', 'show how each score was made')
    .option('--as-of <iso>', 'what was true at this time (ISO 8601): the versions true then')
    .option('--known-at <iso>', 'as engram knew it at this time (ISO 8601)')
    .option('--filters <json>', 'mem0 filters as a JSON object')
    .option('--show-expired', 'include memories past their expiration day')
    .action(async (query: string, options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const limit = parseIntegerFlag(options.limit as string | undefined, '--limit');
      const threshold = parseNumberFlag(options.threshold as string | undefined, '--threshold');
      const filters = parseJsonObjectFlag(options.filters as string | undefined, '--filters');
      const result = await withMemory(globals, context, (memory) =>
        memory.search(query, {
          ...readScope(options),
          ...(limit === undefined ? {} : { limit }),
          ...(threshold === undefined ? {} : { threshold }),
          ...(options.explain === true ? { explain: true } : {}),
          ...(options.showExpired === true ? { showExpired: true } : {}),
          ...(typeof options.asOf === 'string' ? { asOf: options.asOf } : {}),
          ...(typeof options.knownAt === 'string' ? { knownAt: options.knownAt } : {}),
          // The engine validates the filter tree and says what is wrong with it.
          ...(filters === undefined ? {} : { filters: filters as Filter }),
        }),
      );
      if (globals.json) return printJson(context, result);
      printSearchResult(context, result, options.explain === true);
    });
};

function printSearchResult(context: CliContext, result: SearchResult, explain: boolean): void {
  if (result.degraded) {
    printNote(
      context,
      `search ran ${result.degraded} (${result.degraded_reason ?? 'embedder unavailable'}).`,
    );
  }
  if (result.vector_index && !result.vector_index.used) {
    printNote(
      context,
      `the ${result.vector_index.provider} index was not used: ${result.vector_index.reason ?? 'unknown reason'}; the store's own vectors answered.`,
    );
  }
  if (result.results.length === 0) {
    printLines(context, ['No memories found.']);
    return;
  }
  const headers = ['SCORE', 'ID', 'V', 'MEMORY'];
  const rows = result.results.map((item) => [
    formatScore(item.score),
    item.id,
    String(item.version),
    truncate(item.memory, MEMORY_COLUMN_WIDTH),
  ]);
  if (explain) {
    headers.splice(3, 0, 'VEC', 'KEYWORD', 'RECENCY', 'IMPORT.');
    result.results.forEach((item, i) => {
      const e = item.explain;
      rows[i]?.splice(
        3,
        0,
        e?.vector.similarity == null ? '-' : e.vector.similarity.toFixed(3),
        e?.keyword.rank == null ? '-' : `#${e.keyword.rank}`,
        e === undefined ? '-' : e.recency.toFixed(3),
        e === undefined ? '-' : e.importance.toFixed(3),
      );
    });
  }
  printLines(context, renderTable(headers, rows));
}
