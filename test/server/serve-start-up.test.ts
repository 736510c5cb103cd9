import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Memory } from '../../src/memory/memory.js';
import { type CliResult, closedPortUrl, ensureCliBuilt, makeTempDir, runCli } from '../support/cli-runner.js';
import { type FakeOllama, startFakeOllama } from '../support/fake-ollama.js';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'engram.js');
/** A server that failed to start must be gone long before this; reaching it is the bug. */
const KILL_AFTER_MS = 15_000;

let ollama: FakeOllama;
let tmp: ReturnType<typeof makeTempDir>;
let dbPath: string;
let env: Record<string, string>;
let jobId: string;

beforeAll(async () => {
  await ensureCliBuilt();
  ollama = await startFakeOllama();
  tmp = makeTempDir('engram-serve-');
}, 300_000);

afterAll(async () => {
  await ollama?.close();
  tmp?.remove();
});

beforeEach(async () => {
  // Each case starts with one queued add on a fresh database: a worker that runs must not exist.
  dbPath = join(tmp.dir, `engram-${Math.random().toString(36).slice(2)}.db`);
  env = {
    ENGRAM_DB: dbPath,
    ENGRAM_LLM: 'ollama:llama3.2:3b',
    ENGRAM_EMBEDDER: 'ollama:nomic-embed-text',
    OLLAMA_BASE_URL: ollama.url,
  };
  const memory = new Memory(undefined, { env, cwd: tmp.dir });
  jobId = (await memory.enqueueAdd('alice likes tea', { userId: 'alice' })).job_id;
  await memory.close();
  ollama.requests.splice(0);
});

const jobState = () => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (db.prepare('SELECT state FROM jobs WHERE id = ?').get(jobId) as { state: string }).state;
  } finally {
    db.close();
  }
};

/** Refused at start-up: exits by itself, non-zero, with one `engram:` line, and ran no job. */
async function expectRefused(args: string[], pattern: RegExp): Promise<CliResult> {
  const started = Date.now();
  const run = await runCli(['serve', '--poll-ms', '20', ...args], env, tmp.dir, {
    killAfterMs: KILL_AFTER_MS,
  });
  expect(Date.now() - started, 'the process had to be killed').toBeLessThan(KILL_AFTER_MS);
  expect(run.code, run.stderr).toBeGreaterThan(0);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^engram: /);
  expect(lines[0]).toMatch(pattern);
  expect(run.stdout).not.toMatch(/listening/);
  expect(ollama.requestsTo('/api/chat')).toHaveLength(0);
  expect(jobState()).toBe('pending');
  return run;
}

describe('engram serve that cannot start exits, and runs no job', () => {
  let blocker: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  it('a port in use: exit 2, one line naming the port', async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = String((blocker.address() as { port: number }).port);
    const run = await expectRefused(['--port', port], new RegExp(`Port ${port} on 127.0.0.1 is in use`));
    expect(run.code).toBe(2);
  });

  it('port 99999: refused before anything is opened, exit 2', async () => {
    const run = await expectRefused(['--port', '99999'], /--port/);
    expect(run.code).toBe(2);
  });

  it('--max-body 0 (and other bad numbers): refused up front, exit 2, naming the flag', async () => {
    const port = new URL(await closedPortUrl()).port;
    for (const [flag, value] of [
      ['--max-body', '0'],
      ['--batch', '0'],
      ['--lease-ms', 'soon'],
      ['--workers', '-1'],
      ['--rate', '-5'],
    ] as const) {
      const run = await expectRefused(['--port', port, flag, value], new RegExp(flag));
      expect(run.code, flag).toBe(2);
    }
  }, 90_000);
});

describe('engram serve --workers 0', () => {
  let server: ChildProcess | undefined;
  afterEach(() => {
    server?.kill('SIGKILL');
    server = undefined;
  });

  it('serves HTTP with no worker: a queued job stays pending (before: refused, "must be ≥ 1")', async () => {
    const url = await closedPortUrl();
    const child = spawn(
      process.execPath,
      [BIN, 'serve', '--no-auth', '--port', new URL(url).port, '--workers', '0', '--poll-ms', '20'],
      { cwd: tmp.dir, env: { PATH: process.env.PATH ?? '', HOME: tmp.dir, ...env }, stdio: 'pipe' },
    );
    server = child;
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`engram serve exited (${child.exitCode}):\n${output}`);
      const up = await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) throw new Error(`engram serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const job = await fetch(`${url}/jobs/${jobId}`).then((r) => r.json() as Promise<{ state: string }>);
    expect(job.state).toBe('pending');
    // A worker polling every 20 ms would have leased it many times over by now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(jobState()).toBe('pending');
    expect(ollama.requestsTo('/api/chat')).toHaveLength(0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
