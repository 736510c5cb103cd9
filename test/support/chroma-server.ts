import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { closedPortUrl } from './cli-runner.js';

export interface ChromaServer {
  /** http://127.0.0.1:<port> */
  url: string;
  /** The server's persist directory (removed by close). */
  dataDir: string;
  /** Milliseconds from spawn until the heartbeat answered. */
  startMs: number;
  /** Everything the server wrote so far (for failure messages). */
  output(): string;
  /** Kills the server, waits for it to be gone and removes its directory; idempotent. */
  close(): Promise<void>;
}

const MAX_OUTPUT_CHARS = 8_000;

/**
 * Runs chromadb's `chroma` CLI in a worker thread of a small watchdog process. The CLI's native
 * `cli()` call blocks its thread until the server stops, so a plain child would never notice its
 * parent dying; the watchdog's main thread stays free and SIGKILLs its own process (server
 * included: it runs in-process, no grandchildren) when stdin, a pipe from the test process,
 * closes. So a test process that dies without calling close() leaves no server behind.
 */
const WATCHDOG = `
import { Worker } from 'node:worker_threads';
const [cli, ...args] = process.argv.slice(1);
const worker = new Worker(cli, { argv: args, execArgv: [] });
worker.on('error', (error) => { console.error(error && error.stack ? error.stack : String(error)); process.exit(70); });
worker.on('exit', (code) => process.exit(code));
const orphaned = () => process.kill(process.pid, 'SIGKILL');
process.stdin.on('end', orphaned);
process.stdin.on('close', orphaned);
process.stdin.resume();
`;

/**
 * A real Chroma server (the one chromadb's native binding ships) on a free port, persisting to a
 * fresh temporary directory, ready once `/api/v2/heartbeat` answers. Throws, saying so, when the
 * server cannot run on this machine (no chromadb, or a binding that does not load).
 */
export async function startChromaServer(options: { startTimeoutMs?: number } = {}): Promise<ChromaServer> {
  const cli = chromaCli();
  for (let attempt = 1; ; attempt++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'engram-chroma-'));
    try {
      return await startOnce(cli, dataDir, options.startTimeoutMs ?? 30_000);
    } catch (error) {
      await rm(dataDir, { recursive: true, force: true });
      // A port taken between picking it and listening: `chroma run` says so (and exits 0).
      if (attempt >= 3 || !String(error).includes('is not available')) throw error;
    }
  }
}

/** The CLI script of the installed chromadb (its package exports no subpaths, so found beside the entry). */
function chromaCli(): string {
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('chromadb');
  } catch (cause) {
    throw new Error(
      'The Chroma test server cannot run: the optional package chromadb is not installed (run `npm ci`).',
      { cause },
    );
  }
  // .../chromadb/dist/cjs/chromadb.cjs → .../chromadb/dist/cli.mjs
  return join(dirname(dirname(entry)), 'cli.mjs');
}

async function startOnce(cli: string, dataDir: string, startTimeoutMs: number): Promise<ChromaServer> {
  const url = await closedPortUrl();
  const { hostname, port } = new URL(url);
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      WATCHDOG,
      cli,
      'run',
      '--path',
      dataDir,
      '--host',
      hostname,
      '--port',
      port,
    ],
    { cwd: dataDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: string) => {
    output = (output + chunk).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.setEncoding('utf8').on('data', keep);
  child.stderr?.setEncoding('utf8').on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      // SIGKILL, not SIGTERM: the server drains for ~2 s on SIGTERM, and its data is thrown away.
      if (alive(child)) child.kill('SIGKILL');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    })();
    return closing;
  };
  const deadline = started + startTimeoutMs;
  for (;;) {
    if (!alive(child)) {
      await close();
      throw new Error(
        `The Chroma test server cannot run on this machine: \`chroma run\` exited (code ${child.exitCode}, signal ${child.signalCode}) before answering. Its output:\n${output}`,
      );
    }
    const up = await fetch(`${url}/api/v2/heartbeat`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) {
      return { url, dataDir, startMs: Math.round(performance.now() - started), output: () => output, close };
    }
    if (performance.now() > deadline) {
      await close();
      throw new Error(
        `The Chroma test server did not answer within ${startTimeoutMs} ms. Its output:\n${output}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
