import type { AddressInfo } from 'node:net';
import { serve as nodeServe, type ServerType } from '@hono/node-server';
import { MemoryError } from '../spec/memory-error.js';
import { type AppOptions, createApp } from './create-app.js';
import { HttpError } from './http-error.js';

export type { McpHandler } from './mcp-route.js';
export type { HealthCheck } from './routes/ops-routes.js';

/** Background work tied to the server's life (the ingest workers). */
export interface Drainable {
  start(): void;
  stop(): Promise<void>;
}

export interface ServeOptions extends AppOptions {
  host?: string;
  port?: number;
  /**
   * Started once the server listens (never when it cannot), drained after the HTTP side stops;
   * the caller builds them.
   */
  workers?: Drainable[];
  /** How long shutdown waits for in-flight requests before closing their sockets. */
  shutdownTimeoutMs?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting, drains in-flight requests, then the workers. The engine stays open: the caller owns it. */
  close(): Promise<void>;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** `engram serve`: the app on a node HTTP server with graceful shutdown. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.auth === false && !isLoopback(host)) {
    throw new HttpError(
      400,
      'auth_required',
      `--no-auth is allowed only on a loopback address (127.0.0.1, ::1, localhost), not ${host}.`,
    );
  }
  const requested = options.port ?? 8765;
  if (!Number.isInteger(requested) || requested < 0 || requested > 65_535) {
    throw new MemoryError(
      'invalid_input',
      `The port must be a whole number from 0 to 65535 (0: any free port), got ${requested}.`,
      { details: { port: requested } },
    );
  }
  const app = createApp(options);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = nodeServe({ fetch: app.fetch, hostname: host, port: requested }, () => resolve(s));
    s.once('error', (error) => {
      app.dispose();
      reject(listenFailure(error, host, requested));
    });
  });
  const port = (server.address() as AddressInfo).port;
  for (const w of options.workers ?? []) w.start();
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        const http = server as import('node:http').Server;
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        http.closeIdleConnections?.();
        const timer = setTimeout(() => http.closeAllConnections?.(), options.shutdownTimeoutMs ?? 10_000);
        await stopped;
        clearTimeout(timer);
        for (const w of options.workers ?? []) await w.stop();
        app.dispose();
      })()),
  };
}

const LISTEN_REASONS = new Map<string, (host: string, port: number) => string>([
  [
    'EADDRINUSE',
    (host, port) =>
      `Port ${port} on ${host} is in use: stop the other server or choose another port (--port).`,
  ],
  [
    'EACCES',
    (host, port) =>
      `Not allowed to listen on ${host}:${port} (ports below 1024 need privileges): choose another port (--port).`,
  ],
  ['EADDRNOTAVAIL', (host) => `${host} is not an address of this machine: choose another host (--host).`],
]);

/** A failed listen as one sentence that says what to change. */
function listenFailure(error: unknown, host: string, port: number): MemoryError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
  const reason =
    LISTEN_REASONS.get(code)?.(host, port) ??
    `Could not listen on ${host}:${port} (${error instanceof Error ? error.message : String(error)}).`;
  return new MemoryError('listen_failed', reason, { cause: error, details: { host, port, reason: code } });
}
