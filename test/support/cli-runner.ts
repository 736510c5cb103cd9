import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'engram.js');
const MAIN = join(ROOT, 'dist', 'cli', 'main.js');
const LOCK = join(tmpdir(), `engram-cli-build-${Buffer.from(ROOT).toString('hex').slice(-24)}`);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The CLI tests run `node bin/engram.js`, which loads dist/. `npm test` builds first; when run
 * alone (`npx vitest run test/cli`) this builds dist if it is missing or older than src/, at most
 * once per vitest run (test files are forks of one parent, whose pid names the stamp), so
 * colleagues editing src/ meanwhile cannot trigger a rebuild under a running test. A lock
 * directory keeps parallel test files from building over each other.
 */
export async function ensureCliBuilt(): Promise<void> {
  const stamp = `${LOCK}.run-${process.ppid}`;
  for (;;) {
    if (existsSync(stamp) || !isStale()) return;
    try {
      mkdirSync(LOCK);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (lockAgeMs() > 300_000) rmSync(LOCK, { recursive: true, force: true });
      continue;
    }
    try {
      if (existsSync(stamp) || !isStale()) return;
      // --noEmit false: tsconfig.build.json inherits noEmit from tsconfig.json.
      await promisify(execFile)(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
          '-p',
          'tsconfig.build.json',
          '--noEmit',
          'false',
        ],
        { cwd: ROOT },
      ).catch(() => undefined); // Type errors elsewhere still emit; a missing main.js is caught below.
      if (!existsSync(MAIN)) throw new Error(`building dist/ did not produce ${MAIN}`);
      writeFileSync(stamp, '');
      return;
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

function isStale(): boolean {
  let built: number;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    return true;
  }
  return newestMtime(join(ROOT, 'src')) > built;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function lockAgeMs(): number {
  try {
    return Date.now() - statSync(LOCK).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `engram <args>` in a child process. The environment is ONLY `env` (plus PATH/HOME), so a
 * developer's own ENGRAM_* or OLLAMA_* variables never leak into a test. With `killAfterMs`, a
 * command still running then (a server that should not have started) is killed: exit code -1.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  cwd: string,
  options: { killAfterMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    child.on('close', () => clearTimeout(timer));
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Parses stdout as exactly one JSON document (failing with the output when it is not). */
export function parseJson<T>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
}

export function makeTempDir(prefix = 'engram-cli-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A localhost URL nothing listens on (a port bound and released again). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}
