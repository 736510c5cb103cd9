import type { Command } from 'commander';
import type { UpdateInput } from '../../memory/api-types.js';
import type { Metadata } from '../../spec/memory-record.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { memoryDetail, printJson, printLines } from '../output.js';
import { parseJsonObjectFlag } from '../parse-flags.js';

export const updateCommand: RegisterCommand = (program, context) => {
  program
    .command('update')
    .description('give a memory a new text (a new version; the old one stays, findable with --as-of)')
    .argument('<id>', 'memory id')
    .argument('[text]', 'the new text')
    .option('--event-time <iso>', 'when the change became true (ISO 8601; default now)')
    .option('--metadata <json>', 'metadata to merge in (a key set to null is removed)')
    .option('--replace-metadata', 'replace the whole metadata object instead of merging')
    .action(
      async (
        id: string,
        text: string | undefined,
        options: { eventTime?: string; metadata?: string; replaceMetadata?: boolean },
        command: Command,
      ) => {
        const globals = globalOptions(command);
        const metadata = parseJsonObjectFlag(options.metadata, '--metadata') as Metadata | undefined;
        const input: UpdateInput = {
          ...(text === undefined ? {} : { text }),
          ...(metadata === undefined ? {} : { metadata }),
          ...(options.replaceMetadata ? { replaceMetadata: true } : {}),
          ...(options.eventTime === undefined ? {} : { eventTime: options.eventTime }),
        };
        const item = await withMemory(globals, context, (memory) => memory.update(id, input));
        if (globals.json) return printJson(context, item);
        printLines(context, memoryDetail(item));
      },
    );
};
