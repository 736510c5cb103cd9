import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { MemoryError } from '../../spec/memory-error.js';
import { parseExport } from '../../transfer/export-format.js';
import { importMem0, type Mem0ImportPhase } from '../../transfer/mem0/import-mem0.js';
import { renderMem0Report } from '../../transfer/mem0/mem0-import-report.js';
import { MEM0_SOURCE_FORMS } from '../../transfer/mem0/mem0-source.js';
import { type CliContext, globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, printNote, renderTable } from '../output.js';
import { ProgressBar } from '../progress-bar.js';
import { readScope, withScopeOptions } from './scope-options.js';

/**
 * `engram export` and `engram import`: a store's data as JSON Lines (src/transfer/export-format.ts),
 * from any store into any store (SQLite ↔ PostgreSQL), idempotent on import.
 */
export const exportCommand: RegisterCommand = (program, context) => {
  withScopeOptions(
    program
      .command('export')
      .description('write memories (every version and history), messages, usage and the graph as JSON Lines')
      .option('--all', 'every tenant (default: the --tenant / ENGRAM_TENANT one)')
      .option('--with-vectors', 'include the vectors (otherwise the importer re-embeds)')
      .option('--out <file>', 'write to this file instead of standard output'),
  ).action(async (options: Record<string, unknown>, command: Command) => {
    const globals = globalOptions(command);
    const scope = readScope(options);
    if (globals.json && typeof options.out !== 'string') {
      throw new MemoryError(
        'invalid_input',
        'engram export writes JSON Lines (many documents) to standard output; with --json give --out <file>, and the summary is printed as one JSON document.',
      );
    }
    if (options.all === true && Object.keys(scope).length > 0) {
      throw new MemoryError(
        'invalid_input',
        '--all exports every tenant; leave out --user/--agent/--run, or --all.',
      );
    }
    const lines: string[] = [];
    const header = await withMemory(globals, context, (memory) =>
      memory.data.export(
        {
          tenant: options.all === true ? null : memory.tenant,
          scope: Object.keys(scope).length > 0 ? scope : null,
          withVectors: options.withVectors === true,
        },
        (line) => {
          lines.push(line);
        },
      ),
    );
    const text = `${lines.join('\n')}\n`;
    if (typeof options.out === 'string') {
      writeFileSync(resolve(context.io.cwd, options.out), text);
      if (globals.json) return printJson(context, header);
      const c = header.counts;
      printNote(
        context,
        `exported ${c.memories} memories, ${c.messages} messages, ${c.keys} keys (listed, no secrets), ${c.usage} usage rows, ${c.entities} entities, ${c.relations} relations to ${options.out}`,
      );
    } else {
      context.io.stdout(text);
    }
  });

  program
    .command('import')
    .description(
      'import a file written by `engram export`, or a mem0 installation with --from-mem0 (idempotent: importing twice adds nothing)',
    )
    .argument('[file]', 'the export file, or - for standard input')
    .option('--from-mem0 <source...>', `import a mem0 installation instead: ${MEM0_SOURCE_FORMS}`)
    .option(
      '--mem0-embedder <model>',
      "with --from-mem0: the model that made mem0's vectors (provider:model)",
    )
    .option(
      '--unscoped-into <scope>',
      'with --from-mem0: user=<id>[,agent=<id>][,run=<id>] for memories mem0 kept no scope of',
    )
    .option('--qdrant-api-key <key>', 'with --from-mem0 qdrant:…: the Qdrant API key')
    .action(async (file: string | undefined, options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      if (Array.isArray(options.fromMem0)) {
        if (file !== undefined)
          throw new MemoryError('invalid_input', 'Give an export file or --from-mem0, not both.');
        const progress = mem0Progress(context);
        const report = await withMemory(globals, context, (memory) =>
          importMem0(memory, {
            sources: options.fromMem0 as string[],
            cwd: context.io.cwd,
            sourceEmbedder: options.mem0Embedder as string | undefined,
            unscopedInto: options.unscopedInto as string | undefined,
            qdrantApiKey: options.qdrantApiKey as string | undefined,
            onProgress: progress.update,
          }).finally(progress.finish),
        );
        return globals.json ? printJson(context, report) : printLines(context, renderMem0Report(report));
      }
      if (file === undefined) {
        throw new MemoryError(
          'invalid_input',
          'engram import needs a file written by `engram export` (- for standard input), or --from-mem0 <source>.',
        );
      }
      const text =
        file === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(context.io.cwd, file), 'utf8');
      // Checked whole before anything is written: a malformed or truncated file imports nothing.
      const parsed = parseExport(text);
      const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
      const { report, reindexed } = await withMemory(globals, context, async (memory) => {
        const report = await memory.data.import(parsed, `import:${digest}`);
        let reindexed: number | null = null;
        if (report.vectorsMissing && memory.config.embedder !== null) {
          printNote(context, 'embedding the imported memories with the configured embedder');
          reindexed = (await memory.reindex()).reembedded;
        }
        return { report, reindexed };
      });
      if (globals.json) return printJson(context, { ...report, reindexed });
      printLines(context, [
        ...renderTable(
          ['kind', 'in file', 'imported', 'already there'],
          report.kinds.map((k) => [k.kind, String(k.rows), String(k.written), String(k.present)]),
        ),
        ...(report.keysListed > 0
          ? [
              `${report.keysListed} API keys listed in the file were not imported (exports never carry secrets): create new keys.`,
            ]
          : []),
        ...(report.vectorsMissing
          ? [
              reindexed === null
                ? 'The imported memories have no vectors yet: configure an embedder and run `engram reindex` (keyword search works meanwhile).'
                : `Embedded ${reindexed} memory versions with the configured embedder.`,
            ]
          : []),
      ]);
    });
};

/** One progress bar per phase of a mem0 import (stderr), each ended when the import ends. */
function mem0Progress(context: CliContext) {
  const labels: Record<Mem0ImportPhase, string> = {
    read: 'reading mem0',
    write: 'importing',
    embed: 'embedding',
  };
  const bars = new Map<Mem0ImportPhase, { bar: ProgressBar; done: number; total: number }>();
  return {
    update: (phase: Mem0ImportPhase, done: number, total: number) => {
      const entry = bars.get(phase) ?? { bar: new ProgressBar(context, labels[phase]), done, total };
      bars.set(phase, { ...entry, done, total });
      entry.bar.update(done, total);
    },
    finish: () => {
      for (const [phase, { bar, done, total }] of bars) bar.finish(`${labels[phase]}: ${done}/${total}`);
    },
  };
}
