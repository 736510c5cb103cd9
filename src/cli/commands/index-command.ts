import type { Command } from 'commander';
import type { IndexStatus } from '../../memory/admin/derived-indexes.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, renderTable } from '../output.js';

/** `engram index status | drop <provider>`: the derived vector indexes (docs/indexes.md). */
export const indexCommand: RegisterCommand = (program, context) => {
  const index = program
    .command('index')
    .description('derived vector indexes (Qdrant, Chroma): lag, errors, and unregistering old ones');

  index
    .command('status')
    .description('each index: outbox rows pending, oldest pending, built, points held, last error')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const statuses = await withMemory(globals, context, (memory) => memory.indexes.status());
      if (globals.json) return printJson(context, statuses);
      if (statuses.length === 0) {
        return printLines(context, [
          'No derived index is registered: search uses the store’s own vectors. Configure index (or ENGRAM_INDEX and ENGRAM_INDEX_URL) to add one.',
        ]);
      }
      printLines(context, [
        ...renderTable(
          ['index', 'built', 'pending', 'oldest pending', 'points', 'failures', 'where'],
          statuses.map(row),
        ),
        ...statuses.flatMap(notes),
      ]);
    });

  index
    .command('drop <provider>')
    .description('unregister an index this deployment no longer uses (its collection is left as it is)')
    .option('--yes', 'confirm: writes stop feeding the index and its pending outbox rows are removed')
    .action(async (provider: string, options: { yes?: boolean }, command: Command) => {
      const globals = globalOptions(command);
      if (options.yes !== true) {
        throw new MemoryError(
          'confirmation_required',
          `index drop stops feeding ${provider} and removes its pending outbox rows: pass --yes to confirm.`,
        );
      }
      await withMemory(globals, context, (memory) => memory.indexes.drop(provider));
      if (globals.json) return printJson(context, { dropped: provider });
      printLines(context, [`Unregistered the ${provider} index; its collection was not touched.`]);
    });
};

function row(s: IndexStatus): string[] {
  return [
    s.name,
    s.built ? 'yes' : 'no',
    String(s.pending),
    s.oldestPendingAt ?? '-',
    s.points === null ? '?' : String(s.points),
    String(s.failures),
    s.location ?? '(not configured here)',
  ];
}

function notes(s: IndexStatus): string[] {
  const lines: string[] = [];
  if (s.lastError) lines.push(`${s.name}: last error: ${s.lastError}`);
  if (s.countError) lines.push(`${s.name}: could not count points: ${s.countError}`);
  if (!s.configured) {
    lines.push(
      `${s.name}: registered but not configured in this process; if no deployment uses it any more, run \`engram index drop ${s.name} --yes\` so its outbox rows stop piling up.`,
    );
  }
  return lines;
}
