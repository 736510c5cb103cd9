import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT_FAILURE, EXIT_USER, exitCodeFor } from '../../src/cli/report-error.js';
import type { GetAllResult } from '../../src/memory/api-types.js';
import { MemoryError } from '../../src/spec/memory-error.js';
import { runInProcess } from '../support/cli-in-process.js';
import {
  type CliResult,
  closedPortUrl,
  ensureCliBuilt,
  makeTempDir,
  parseJson,
  runCli,
} from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

let fake: FakeOllama;
let temp: ReturnType<typeof makeTempDir>;
let env: Record<string, string>;
/** Most cases run in this process; the last block runs the real binary for what only it can show. */
const cli = (...args: string[]) => runInProcess(args, env, temp.dir);
const binary = (...args: string[]) => runCli(args, env, temp.dir);
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/** A failed command: non-zero exit, nothing on stdout, exactly one `engram: ...` line on stderr. */
function expectOneErrorLine(run: CliResult, code: number, pattern: RegExp): void {
  expect(run.stdout).toBe('');
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^engram: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(code);
}

async function memoriesOf(user: string): Promise<string[]> {
  return parseJson<GetAllResult>(await cli('list', '--user', user, '--json')).results.map((m) => m.memory);
}

beforeAll(async () => {
  fake = await startFakeOllama({ dimensions: 16 });
  temp = makeTempDir();
  env = { ENGRAM_DB: `${temp.dir}/x.db`, OLLAMA_BASE_URL: fake.url, ENGRAM_LLM: 'none' };
  expect((await cli('add', 'alice likes chess', '--user', 'alice', '--no-infer')).code).toBe(0);
}, 300_000);

afterAll(async () => {
  await fake?.close();
  temp?.remove();
});

describe('engram errors (in process)', () => {
  it('delete-all without a scope refuses and deletes nothing', async () => {
    expectOneErrorLine(await cli('delete-all'), 2, /--user, --agent or --run/);
    expectOneErrorLine(await cli('delete-all', '--json'), 2, /refuses/);
    expect(await memoriesOf('alice')).toEqual(['alice likes chess']);
  });

  it('rejects --metadata that is not a JSON object, naming the flag, and writes nothing', async () => {
    expectOneErrorLine(
      await cli('add', 'bob likes go', '--user', 'bob', '--no-infer', '--metadata', '{bad'),
      2,
      /--metadata/,
    );
    expectOneErrorLine(
      await cli('add', 'bob likes go', '--user', 'bob', '--no-infer', '--metadata', '[1]'),
      2,
      /--metadata must be a JSON object/,
    );
    expect(await memoriesOf('bob')).toEqual([]);
  });

  it('rejects --filters that is not a JSON object', async () => {
    expectOneErrorLine(await cli('search', 'chess', '--user', 'alice', '--filters', 'nope'), 2, /--filters/);
  });

  it('rejects empty text', async () => {
    expectOneErrorLine(await cli('add', '   ', '--user', 'alice', '--no-infer'), 2, /empty/);
  });

  it('says clearly when an id is unknown', async () => {
    for (const args of [
      ['get', UNKNOWN_ID],
      ['update', UNKNOWN_ID, 'x'],
      ['history', UNKNOWN_ID],
      ['delete', UNKNOWN_ID],
    ]) {
      const run = await cli(...args);
      expectOneErrorLine(run, 2, new RegExp(`No memory with id ${UNKNOWN_ID}`));
    }
  });

  it('add without --no-infer and no LLM explains how to configure one', async () => {
    expectOneErrorLine(
      await cli('add', 'carol likes tea', '--user', 'carol'),
      2,
      /ENGRAM_LLM.*--no-infer|--no-infer.*ENGRAM_LLM/,
    );
    expect(await memoriesOf('carol')).toEqual([]);
  });

  it('a missing scope names the CLI flags', async () => {
    expectOneErrorLine(await cli('add', 'no scope', '--no-infer'), 2, /--user/);
    expectOneErrorLine(await cli('search', 'chess'), 2, /--user/);
    expectOneErrorLine(await cli('list'), 2, /--user/);
  });

  it('usage errors are one line with exit 2', async () => {
    expectOneErrorLine(await cli('frobnicate'), 2, /unknown command 'frobnicate'/);
    expectOneErrorLine(await cli('add', '--user', 'alice'), 2, /missing required argument 'text'/);
    expectOneErrorLine(await cli('list', '--user', 'alice', '--limit', 'ten'), 2, /--limit/);
    expectOneErrorLine(await cli('search', 'x', '--user', 'alice', '--threshold', 'high'), 2, /--threshold/);
  });

  it('reports a bad --config file on one line', async () => {
    expectOneErrorLine(await cli('--config', 'missing.json', 'list', '--user', 'alice'), 2, /--config/);
    writeFileSync(`${temp.dir}/bad.json`, '{"dbPath": 3, "tenat": "x"}');
    expectOneErrorLine(
      await cli('--config', 'bad.json', 'list', '--user', 'alice'),
      2,
      /dbPath.*tenat|tenat.*dbPath/,
    );
  });

  it('--config is honoured', async () => {
    writeFileSync(`${temp.dir}/good.json`, JSON.stringify({ tenant: 'from-file' }));
    const list = await cli('--config', 'good.json', 'list', '--user', 'alice', '--json');
    expect(list.code).toBe(0);
    expect(parseJson<GetAllResult>(list).results).toEqual([]);
  });
});

describe('engram errors as a real process (bin/engram.js, exit status and stderr of the process)', () => {
  beforeAll(() => ensureCliBuilt(), 300_000);

  it('serve refuses to start on a file that is not an engram database, naming it', async () => {
    const path = `${temp.dir}/not-engram.db`;
    writeFileSync(path, randomBytes(8192));
    const port = new URL(await closedPortUrl()).port;
    const run = await runCli(['serve', '--db', path, '--port', port, '--workers', '1'], env, temp.dir, {
      killAfterMs: 15_000,
    });
    expectOneErrorLine(
      run,
      EXIT_FAILURE,
      /Not serving: The file at .*not-engram\.db is not a SQLite database/,
    );
  });

  it('a usage error and an unknown id exit 2 with one line; help and version exit 0', async () => {
    expectOneErrorLine(await binary('frobnicate'), 2, /unknown command 'frobnicate'/);
    expectOneErrorLine(await binary('get', UNKNOWN_ID), 2, new RegExp(`No memory with id ${UNKNOWN_ID}`));
    const help = await binary('--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('delete-all');
    expect((await binary('--version')).stdout).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('exit status by error category', () => {
  it('is 2 for what the user can fix (forbidden scope included) and 1 for the rest', () => {
    expect(exitCodeFor(new MemoryError('scope_forbidden', 'pinned'))).toBe(EXIT_USER);
    expect(exitCodeFor(new MemoryError('admin_required', 'admin'))).toBe(EXIT_USER);
    expect(exitCodeFor(new MemoryError('not_found', 'gone'))).toBe(EXIT_USER);
    expect(exitCodeFor(new MemoryError('llm_unreachable', 'down'))).toBe(EXIT_FAILURE);
    expect(exitCodeFor(new Error('bug'))).toBe(EXIT_FAILURE);
  });
});
