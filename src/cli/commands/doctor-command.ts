import type { Command } from 'commander';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { configSources } from '../open-memory.js';
import { printJson, printLines, renderTable } from '../output.js';
import { EXIT_FAILURE } from '../report-error.js';
import { runDoctorChecks } from '../run-doctor-checks.js';

export const doctorCommand: RegisterCommand = (program, context) => {
  program
    .command('doctor')
    .description('check the configuration, the database and the models; exit 1 if anything fails')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptions(command);
      const { input, options } = configSources(globals, context);
      const checks = await runDoctorChecks(input, options);
      const ok = checks.every((check) => check.ok);
      if (!ok) context.exitCode = EXIT_FAILURE;
      if (globals.json) return printJson(context, { ok, checks });
      printLines(context, [
        ...renderTable(
          ['', 'CHECK', 'DETAIL'],
          checks.map((check) => [check.ok ? 'ok' : 'FAIL', check.name, check.detail]),
        ).slice(1),
        ok ? 'All checks passed.' : `${checks.filter((check) => !check.ok).length} check(s) failed.`,
      ]);
    });
};
