import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliContext } from './cli-context.js';

/** A file argument's text: `-` is standard input (the context's, else the process's), else a path from cwd. */
export function readInput(context: CliContext, file: string): string {
  if (file === '-') return context.io.stdin ? context.io.stdin() : readFileSync(0, 'utf8');
  return readFileSync(resolve(context.io.cwd, file), 'utf8');
}
