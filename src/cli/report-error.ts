import { CommanderError } from 'commander';
import { withHint } from '../memory/access/error-payload.js';
import { type ErrorCategory, MemoryError } from '../spec/memory-error.js';
import type { CliIo } from './cli-context.js';
import { CLI_HINTS } from './cli-hints.js';

/** Exit status for errors the user can fix (bad input, unknown id, missing scope, a pinned scope, usage). */
export const EXIT_USER = 2;
/** Exit status for everything else (unreachable services, store failures, bugs). */
export const EXIT_FAILURE = 1;

const EXIT_BY_CATEGORY: Record<ErrorCategory, number> = {
  user: EXIT_USER,
  forbidden: EXIT_USER,
  not_found: EXIT_USER,
  conflict: EXIT_FAILURE,
  upstream: EXIT_FAILURE,
  internal: EXIT_FAILURE,
};

/**
 * The one place errors become output: a single `engram: <message>` line on stderr and an exit
 * status. Expected errors (MemoryError) never show a stack; unexpected ones do only with ENGRAM_DEBUG.
 */
export function reportError(error: unknown, io: CliIo): number {
  io.stderr(`engram: ${oneLine(describeError(error))}\n`);
  if (
    !MemoryError.is(error) &&
    !(error instanceof CommanderError) &&
    io.env.ENGRAM_DEBUG &&
    error instanceof Error
  ) {
    io.stderr(`${error.stack ?? ''}\n`);
  }
  return exitCodeFor(error);
}

export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_USER;
  if (MemoryError.is(error)) return EXIT_BY_CATEGORY[error.category];
  return EXIT_FAILURE;
}

/** The message, with the next step in CLI terms when the error names one (`MemoryError.hint`). */
export function describeError(error: unknown): string {
  if (error instanceof CommanderError) return error.message.replace(/^error:\s*/i, '');
  if (MemoryError.is(error)) return withHint(error, CLI_HINTS);
  return error instanceof Error ? error.message : String(error);
}

/** Multi-line messages (a config error listing problems) collapse to one line: "head: a; b". */
export function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''))
    .filter((line) => line.length > 0);
  const [head = '', ...rest] = lines;
  if (rest.length === 0) return head;
  return `${head}${head.endsWith(':') ? '' : ':'} ${rest.join('; ')}`;
}
