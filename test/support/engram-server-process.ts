import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedPortUrl } from './cli-runner.js';

const BIN = join(fileURLToPath(new URL('../..', import.meta.url)), 'bin', 'engram.js');

export interface EngramServerProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far (for failure messages). */
  output(): string;
  /** SIGKILL: no shutdown, no flush, no close; resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<number | null>;
}

export interface EngramServerOptions {
  /** Working directory (and HOME) of the process. */
  cwd: string;
  /** The environment is ONLY this (plus PATH/HOME), as in `runCli`. */
  env: Record<string, string>;
  /** Arguments after `engram serve` (not --port: a free one is picked). */
  args: string[];
  /** Options for node itself, before the script (e.g. `--max-old-space-size=64`). */
  nodeArgs?: string[];
  /** How long to wait for /health (default 15 s). */
  startTimeoutMs?: number;
}

/**
 * `engram serve` as a real child process (bin/engram.js, so dist/ must be built: call
 * `ensureCliBuilt()` first), ready once `/health` answers. A port taken between picking it and
 * listening (another test's server) is retried on a new port.
 */
export async function startEngramServer(options: EngramServerOptions): Promise<EngramServerProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (error) {
      if (attempt >= 3 || !String(error).includes('EADDRINUSE')) throw error;
    }
  }
}

async function startOnce(options: EngramServerOptions): Promise<EngramServerProcess> {
  const url = await closedPortUrl();
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), BIN, 'serve', '--port', new URL(url).port, ...options.args],
    {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '', HOME: options.cwd, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server: EngramServerProcess = {
    url,
    pid: child.pid ?? -1,
    child,
    output: () => output,
    kill9: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`engram serve exited (${child.exitCode}):\n${output}`);
    const up = await fetch(`${url}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return server;
    if (Date.now() > deadline) {
      await server.kill9();
      throw new Error(`engram serve did not start within ${options.startTimeoutMs ?? 15_000} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A process's resident memory in KiB (VmRSS in /proc/<pid>/status; Linux only). */
export function residentKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}
