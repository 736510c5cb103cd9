import type { Command } from 'commander';

/** Where the CLI reads and writes; `main` uses the process, tests may pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input, whole (`-` arguments); default: the process's. Tests pass their own. */
  stdin?: () => string;
}

/** Shared by every command of one invocation. */
export interface CliContext {
  io: CliIo;
  /** What `main` returns when no error was thrown; a command that reports failures (doctor) raises it. */
  exitCode: number;
}

/** One command: adds itself (name, arguments, options, action) to the program. */
export type RegisterCommand = (program: Command, context: CliContext) => void;

/** The options every command accepts, given before or after the command name. */
export interface GlobalOptions {
  db?: string | undefined;
  config?: string | undefined;
  tenant?: string | undefined;
  json?: boolean | undefined;
}

export function globalOptions(command: Command): GlobalOptions {
  const opts = command.optsWithGlobals<Record<string, unknown>>();
  return {
    db: stringOption(opts.db),
    config: stringOption(opts.config),
    tenant: stringOption(opts.tenant),
    json: opts.json === true,
  };
}

function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
