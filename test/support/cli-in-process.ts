import { main } from '../../src/cli/main.js';
import type { CliResult } from './cli-runner.js';

/**
 * Runs `engram <args>` inside the test process: the same `main` the bin script calls, with its
 * stdout, stderr, environment and working directory captured instead of the process's. Returns
 * what `runCli` returns, so a test can move between the two by changing one call. It needs no
 * build (it runs src/) and costs milliseconds instead of a Node start-up per command.
 *
 * As with `runCli`, the environment is ONLY `env` (plus PATH/HOME), so a developer's own ENGRAM_*
 * or OLLAMA_* variables never reach the config. What this cannot show (process start-up, the bin
 * script's exit status, stdin, a second process) stays with `runCli`.
 */
export async function runInProcess(
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(['node', 'engram', ...args], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
    cwd,
  });
  return { code, stdout, stderr };
}
