import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigProblem } from './invalid-config-error.js';
import { jsonErrorPosition } from './json-error-position.js';

export const CONFIG_FILE_NAME = 'engram.config.json';

export type ConfigFileResult =
  | { kind: 'absent' }
  | { kind: 'loaded'; path: string; value: unknown }
  | { kind: 'failed'; path: string; problem: ConfigProblem };

/**
 * Reads the JSON config file. `explicitPath` (option or ENGRAM_CONFIG) must exist; the default
 * `engram.config.json` in cwd is optional. Parse errors name the file, line and column.
 */
export function readConfigFile(
  cwd: string,
  explicitPath: string | undefined,
  explicitSource: string,
): ConfigFileResult {
  const path = resolve(cwd, explicitPath ?? CONFIG_FILE_NAME);
  if (!existsSync(path)) {
    if (explicitPath === undefined) return { kind: 'absent' };
    return {
      kind: 'failed',
      path,
      problem: {
        path,
        message: 'config file not found',
        hint: `create it, or fix the path given in ${explicitSource}`,
      },
    };
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'failed', path, problem: { path, message: `cannot read config file: ${reason}` } };
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return {
        kind: 'failed',
        path,
        problem: {
          path,
          message: 'expected a JSON object at the top level',
          hint: 'wrap the settings in { }',
        },
      };
    }
    return { kind: 'loaded', path, value };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      kind: 'failed',
      path,
      problem: {
        path,
        message: `invalid JSON: ${describeSyntaxError(body, reason)}`,
        hint: 'fix the JSON syntax',
      },
    };
  }
}

/**
 * "unexpected "," at line 3, column 13". V8 does not always say where (Node 20), and its
 * message quotes the surrounding text, which may hold an API key; so the file is scanned here.
 */
function describeSyntaxError(text: string, fallback: string): string {
  const offset = jsonErrorPosition(text);
  if (offset === undefined) return fallback;
  const before = text.slice(0, offset).split('\n');
  const column = (before[before.length - 1]?.length ?? 0) + 1;
  const found = offset < text.length ? JSON.stringify(text[offset]) : 'end of file';
  return `unexpected ${found} at line ${before.length}, column ${column}`;
}
