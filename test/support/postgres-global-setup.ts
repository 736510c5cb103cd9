import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts', 'pg-test-server.sh');
const PG_BIN = '/usr/lib/postgresql/15/bin/postgres';

/**
 * Vitest global setup: when ENGRAM_TEST_PG_URL is not set but this machine can run the
 * throwaway server (PostgreSQL 15 installed, and pgvector installed or buildable as root from
 * ../shared/vendor), `npm test` starts one for the run and removes it after, so one command runs
 * every test. Otherwise the PostgreSQL tests say they were skipped and why (test/support/postgres.ts);
 * in CI, .ci/run starts the server itself and exports the URL.
 */
export default function setup(): (() => void) | undefined {
  if (process.env.ENGRAM_TEST_PG_URL?.trim() || process.env.ENGRAM_TEST_PG === 'off') return undefined;
  const vector = '/usr/share/postgresql/15/extension/vector.control';
  const buildable =
    process.getuid?.() === 0 && existsSync(join(ROOT, '..', 'shared', 'vendor', 'pgvector-0.8.6'));
  if (!existsSync(PG_BIN) || (!existsSync(vector) && !buildable)) return undefined;
  let output: string;
  try {
    output = execFileSync('bash', [SCRIPT, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    console.warn(`[postgres] could not start a throwaway server: ${(error as Error).message}`);
    return undefined;
  }
  const values = Object.fromEntries(
    [...output.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!] as const),
  );
  const url = values.ENGRAM_TEST_PG_URL;
  const dir = values.ENGRAM_TEST_PG_DIR;
  if (!url || !dir) return undefined;
  process.env.ENGRAM_TEST_PG_URL = url;
  return () => {
    execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
  };
}
