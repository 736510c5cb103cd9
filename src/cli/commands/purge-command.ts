import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, renderTable } from '../output.js';

/**
 * `engram purge [--dry-run] [--all]`: erases the memories expired now — a passed expirationDate
 * or the retention policy (config.retention) — every trace, as `engram serve` does on schedule
 * with retention.purge. It runs whatever retention.purge says: asking is the schedule.
 */
export const purgeCommand: RegisterCommand = (program, context) => {
  program
    .command('purge')
    .description(
      'erase expired memories (expirationDate passed or retention policy): every version, history, vector (irreversible)',
    )
    .option('--dry-run', 'count what would be erased; erase nothing')
    .option('--all', 'every tenant (default: the --tenant / ENGRAM_TENANT one)')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const dryRun = options.dryRun === true;
      const report = await withMemory(globals, context, (memory) =>
        memory.purgeExpired({ dryRun, allTenants: options.all === true }),
      );
      if (globals.json) return printJson(context, report);
      if (report.memories === 0) return printLines(context, ['No expired memories.']);
      printLines(context, [
        ...renderTable(
          dryRun ? ['tenant', 'would erase'] : ['tenant', 'memories', 'versions', 'history'],
          report.tenants.map((t) =>
            dryRun
              ? [t.tenant, String(t.memories)]
              : [t.tenant, String(t.memories), String(t.versions), String(t.history)],
          ),
        ),
        dryRun
          ? `${report.memories} expired memories would be erased (dry run: nothing was).`
          : `Erased ${report.memories} expired memories (${report.versions} versions, ${report.history} history events).`,
      ]);
    });
};
