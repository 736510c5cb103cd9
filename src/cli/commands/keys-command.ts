import type { Command } from 'commander';
import { issueApiKey } from '../../memory/access/issue-api-key.js';
import { renderApiKey } from '../../memory/access/render-api-key.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, renderTable } from '../output.js';

export const keysCommand: RegisterCommand = (program, context) => {
  const keys = program.command('keys').description('manage the API keys of `engram serve`');

  keys
    .command('create')
    .description('create a key bound to --tenant (optionally pinned to a user/agent); prints the secret once')
    .option('--user <id>', 'pin the key to this user')
    .option('--agent <id>', 'pin the key to this agent')
    .option('--name <name>', 'a label for listings')
    .option('--admin', 'allow key management and reset')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      if (globals.tenant === undefined) {
        throw new MemoryError(
          'invalid_input',
          'keys create needs --tenant <name>: the tenant every call with the key is bound to.',
        );
      }
      const tenant = globals.tenant;
      const { key, record } = await withMemory({ ...globals, tenant: undefined }, context, async (memory) =>
        issueApiKey(memory.keys, {
          tenant,
          userId: typeof options.user === 'string' ? options.user : null,
          agentId: typeof options.agent === 'string' ? options.agent : null,
          name: typeof options.name === 'string' ? options.name : null,
          admin: options.admin === true,
          now: new Date(memory.now()),
        }),
      );
      if (globals.json) return printJson(context, { key, id: record.id });
      printLines(context, [key, `id ${record.id} (tenant ${record.tenant}); the key is shown only now.`]);
    });

  keys
    .command('list')
    .description('list keys (of --tenant, or all)')
    .action(async (_options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const list = await withMemory({ ...globals, tenant: undefined }, context, async (memory) =>
        memory.keys.listApiKeys(globals.tenant ?? null),
      );
      if (globals.json) return printJson(context, { results: list.map(renderApiKey) });
      if (list.length === 0) return printLines(context, ['No keys.']);
      printLines(
        context,
        renderTable(
          ['ID', 'PREFIX', 'TENANT', 'PIN', 'ADMIN', 'REVOKED'],
          list.map((k) => [
            k.id,
            k.prefix,
            k.tenant,
            [k.userId && `user=${k.userId}`, k.agentId && `agent=${k.agentId}`].filter(Boolean).join(' '),
            k.admin ? 'yes' : '',
            k.revokedAt ?? '',
          ]),
        ),
      );
    });

  keys
    .command('revoke <id>')
    .description('revoke a key; requests with it get 401 from then on')
    .action(async (id: string, _options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const record = await withMemory({ ...globals, tenant: undefined }, context, async (memory) =>
        memory.keys.revokeApiKey(globals.tenant ?? null, id, memory.now()),
      );
      if (globals.json) return printJson(context, renderApiKey(record));
      printLines(context, [`Revoked ${record.id}.`]);
    });
};
