import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';
import { printJson, printLines, renderTable, truncate } from '../output.js';

/** `engram jobs [--failed]` and `engram jobs retry [id]`: the inferences that did not finish. */
export const jobsCommand: RegisterCommand = (program, context) => {
  const jobs = program
    .command('jobs')
    .description('list pending and failed (dead) inference jobs')
    .option('--failed', 'only jobs that gave up after their attempts')
    .option('--limit <n>', 'most jobs to list', '100')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      const limit = Number(options.limit);
      const result = await withMemory(globals, context, (memory) =>
        memory.jobs({ failed: options.failed === true, limit }),
      );
      if (globals.json) return printJson(context, result);
      if (result.results.length === 0) return printLines(context, ['No pending or failed jobs.']);
      printLines(
        context,
        renderTable(
          ['ID', 'STATE', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
          result.results.map((j) => [
            j.id,
            j.state,
            `${j.attempts}/${j.max_attempts}`,
            j.state === 'dead' ? '-' : j.next_attempt_at,
            truncate(j.last_error ?? '', 60),
          ]),
        ),
      );
    });

  jobs
    .command('retry')
    .description('run one job (or every pending and failed job) again now')
    .argument('[id]', 'the job id; all when omitted')
    .action(async (id: string | undefined, _options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const result = await withMemory(globals, context, (memory) => memory.retryJobs(id));
      if (globals.json) return printJson(context, result);
      if (result.results.length === 0) return printLines(context, ['Nothing to retry.']);
      printLines(
        context,
        renderTable(
          ['JOB', 'STATUS', 'MEMORIES', 'ERROR'],
          result.results.map((r) => [
            r.job_id,
            r.status,
            (r.result?.results ?? []).map((x) => `${x.event} ${truncate(x.memory, 30)}`).join('; '),
            truncate(r.error ?? '', 50),
          ]),
        ),
      );
      if (result.results.some((r) => r.status !== 'done')) context.exitCode = 1;
    });
};
