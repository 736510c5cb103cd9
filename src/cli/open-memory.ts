import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EngramConfigInput, LoadConfigOptions } from '../config/index.js';
import { localActor } from '../memory/audit/local-actor.js';
import { recordCalls } from '../memory/audit/record-calls.js';
import { Memory } from '../memory/memory.js';
import { MemoryError } from '../spec/memory-error.js';
import type { CliContext, GlobalOptions } from './cli-context.js';

/** How the global options become configuration: flags are code input, so they beat env and file. */
export function configSources(
  globals: GlobalOptions,
  context: CliContext,
): { input: EngramConfigInput; options: LoadConfigOptions & { env: NodeJS.ProcessEnv; cwd: string } } {
  const { env, cwd } = context.io;
  const input: EngramConfigInput = {};
  if (globals.db !== undefined) input.dbPath = globals.db;
  if (globals.tenant !== undefined) input.tenant = globals.tenant;
  if (globals.config === undefined) return { input, options: { env, cwd } };
  // Checked here so the message names the flag rather than the variable it is passed through.
  if (!existsSync(resolve(cwd, globals.config))) {
    throw new MemoryError('invalid_config', `--config: no config file at ${resolve(cwd, globals.config)}.`);
  }
  // Memory resolves its config from the environment; ENGRAM_CONFIG carries the flag there.
  return { input, options: { env: { ...env, ENGRAM_CONFIG: globals.config }, cwd } };
}

/**
 * A Memory from the global options whose configuration warnings are printed to stderr as the
 * command starts (every command, serve included), not left to a process warning.
 */
export function openMemory(globals: GlobalOptions, context: CliContext): Memory {
  const { input, options } = configSources(globals, context);
  return new Memory(input, {
    env: options.env,
    cwd: options.cwd,
    onWarning: (warning) => context.io.stderr(`engram: warning: ${warning}\n`),
  });
}

/**
 * Opens a Memory from the global options, runs `work`, and always closes it. The command's calls
 * are recorded in the audit log (channel cli, the OS user as actor; config.audit), unless
 * `audit: false` — `engram mcp` records each tool call itself.
 */
export async function withMemory<T>(
  globals: GlobalOptions,
  context: CliContext,
  work: (memory: Memory) => Promise<T>,
  options: { audit?: boolean } = {},
): Promise<T> {
  const memory = openMemory(globals, context);
  const recorded =
    options.audit === false
      ? memory
      : recordCalls(memory, memory.audit, { channel: 'cli', keyId: null, actor: localActor(context.io.env) });
  try {
    return await work(recorded);
  } finally {
    await memory.close();
  }
}
