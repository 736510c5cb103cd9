import type { Command } from 'commander';
import type { AuditEntry } from '../../spec/audit-log.js';
import { MemoryError } from '../../spec/memory-error.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, renderTable } from '../output.js';
import { parseIntegerFlag } from '../parse-flags.js';

/**
 * `engram audit`: the tenant's audit log, newest first (who, what, which ids, when, outcome —
 * never content). `--purge` removes the entries older than audit.retentionDays now.
 */
export const auditCommand: RegisterCommand = (program, context) => {
  program
    .command('audit')
    .description('show the audit log of the tenant, newest first (no content is ever recorded)')
    .option('--since <time>', 'entries at or after this ISO 8601 time')
    .option('--until <time>', 'entries before this ISO 8601 time')
    .option('--key <id>', 'only calls made with this API key id')
    .option('--operation <name>', 'only this operation (memory.add, memory.search, memory.erase, …)')
    .option('--limit <n>', 'most entries (1–1000, default 100)')
    .option('--cursor <cursor>', 'the next page (the cursor a previous --json answer gave)')
    .option('--purge', 'remove entries older than audit.retentionDays (every tenant) instead of listing')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const text = (name: string, flag: string): string | undefined => {
        const value = options[name];
        if (value === undefined) return undefined;
        if (typeof value !== 'string' || value.trim() === '') {
          throw new MemoryError('invalid_input', `${flag} needs a value.`, { details: { flag } });
        }
        return value;
      };
      const query = {
        since: time(text('since', '--since'), '--since'),
        until: time(text('until', '--until'), '--until'),
        keyId: text('key', '--key'),
        operation: text('operation', '--operation'),
        limit: parseIntegerFlag(text('limit', '--limit'), '--limit', { min: 1, max: 1000 }) ?? 100,
        cursor: text('cursor', '--cursor'),
      };
      if (options.purge === true) {
        const given = Object.entries(query).filter(([k, v]) => v !== undefined && k !== 'limit');
        if (given.length > 0 || options.limit !== undefined) {
          throw new MemoryError(
            'invalid_input',
            '--purge takes no filters: it removes what retention expired.',
          );
        }
        const result = await withMemory(globals, context, (memory) => memory.audit.purge());
        if (globals.json) return printJson(context, result);
        return printLines(context, [`Purged ${result.purged} audit entries older than ${result.before}.`]);
      }
      const page = await withMemory(globals, context, (memory) => memory.audit.list(query));
      if (globals.json) return printJson(context, { results: page.items, next_cursor: page.nextCursor });
      if (page.items.length === 0) return printLines(context, ['No audit entries.']);
      printLines(context, [
        ...renderTable(
          ['AT', 'CHANNEL', 'WHO', 'OPERATION', 'SCOPE', 'IDS', 'OUTCOME'],
          page.items.map((e) => [e.at, e.channel, e.actor ?? '', e.operation, scope(e), ids(e), e.outcome]),
        ),
        ...(page.nextCursor ? [`More: --cursor ${page.nextCursor}`] : []),
      ]);
    });
};

function time(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) {
    throw new MemoryError(
      'invalid_input',
      `${flag} must be an ISO 8601 time, got ${JSON.stringify(value)}.`,
      {
        details: { flag },
      },
    );
  }
  return new Date(ms).toISOString();
}

function scope(e: AuditEntry): string {
  return [e.userId && `user=${e.userId}`, e.agentId && `agent=${e.agentId}`, e.runId && `run=${e.runId}`]
    .filter(Boolean)
    .join(' ');
}

function ids(e: AuditEntry): string {
  const counts = e.counts
    ? Object.entries(e.counts)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')
    : '';
  const shown =
    e.targetIds.length > 2
      ? `${e.targetIds.slice(0, 2).join(' ')} +${e.targetIds.length - 2}`
      : e.targetIds.join(' ');
  return [shown, counts].filter(Boolean).join(' ');
}
