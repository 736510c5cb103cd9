import type { Command } from 'commander';
import type { ConsolidationReport } from '../../memory/consolidate/consolidation-report.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, printNote, truncate } from '../output.js';
import { readScope, withScopeOptions } from './scope-options.js';

export const consolidateCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program
      .command('consolidate')
      .description(
        'merge near-duplicate memories of a scope: the merged ones are superseded by the one kept, never erased',
      )
      .option('--dry-run', 'report what would be merged, write nothing'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const globals = globalOptions(command);
    const report = await withMemory(globals, context, (memory) =>
      memory.consolidate({ ...readScope(options), dryRun: options.dryRun === true }),
    );
    if (globals.json) return printJson(context, report);
    printReport(context, report);
  });
};

function printReport(context: CliContext, report: ConsolidationReport): void {
  const verb = report.dryRun ? 'would merge' : 'merged';
  const lines = [
    `${report.dryRun ? 'Dry run: ' : ''}compared ${report.compared} memories, ${verb} ${report.merged} into ${report.groups} groups; ${report.kept} stay active.`,
    `LLM calls: ${report.llmCalls} (${report.tokens.input} tokens in, ${report.tokens.output} out); embedding calls: ${report.embedCalls}.`,
  ];
  for (const merge of report.merges) {
    lines.push(`keep ${merge.survivor.id}  ${truncate(merge.survivor.text, 70)}`);
    for (const m of merge.merged)
      lines.push(`  ${report.dryRun ? 'would supersede' : 'superseded'} ${m.id}  ${truncate(m.text, 60)}`);
  }
  printLines(context, lines);
  for (const note of report.notes) printNote(context, note);
}
