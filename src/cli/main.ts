import { CommanderError } from 'commander';
import type { CliContext, CliIo } from './cli-context.js';
import { createProgram } from './create-program.js';
import { EXIT_USER, reportError } from './report-error.js';

/** Commander's own exits that already printed what they had to say (help, version). */
const QUIET_EXITS = new Set(['commander.help', 'commander.helpDisplayed', 'commander.version']);

/**
 * Runs the `engram` command line and resolves with the exit status; never throws and never
 * calls process.exit, so the bin script and tests decide what to do with it.
 */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const context: CliContext = { io, exitCode: 0 };
  try {
    await createProgram(context).parseAsync([...argv], { from: 'node' });
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError && QUIET_EXITS.has(error.code)) {
      return error.exitCode === 0 ? 0 : EXIT_USER;
    }
    return reportError(error, io);
  }
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}
