import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { commands } from './commands/index.js';

/** The `engram` program: global options, then every command from the list in commands/index.ts. */
export function createProgram(context: CliContext): Command {
  const program = new Command('engram')
    .description('engram: long-term memory for LLM apps (mem0-compatible)')
    .version(packageVersion(), '-V, --version')
    .option('--db <path>', 'SQLite database file (default: ENGRAM_DB or ./engram.db)')
    .option('--config <path>', 'config file (default: ENGRAM_CONFIG or ./engram.config.json)')
    .option('--tenant <name>', 'tenant to act as (default: ENGRAM_TENANT or "default")')
    .option('--json', 'print exactly one JSON document on stdout')
    // Errors are thrown to main, which prints them as one line; subcommands inherit both settings.
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => context.io.stderr(text),
      outputError: () => undefined,
    });
  for (const register of commands) register(program, context);
  return program;
}

function packageVersion(): string {
  try {
    const manifest: unknown = JSON.parse(
      readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
    );
    const version = (manifest as { version?: unknown }).version;
    return typeof version === 'string' ? version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
