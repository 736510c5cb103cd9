import type { AddressInfo } from 'node:net';
import { serve as nodeServe, type ServerType } from '@hono/node-server';
import { type AppOptions, createApp } from './create-app.js';
import { HttpError } from './http-error.js';

export type { McpHandler } from './mcp-route.js';
export type { HealthCheck } from './routes/ops-routes.js';

/** Something with work in flight that shutdown must wait for (the ingest workers). */
export interface Drainable {
  stop(): Promise<void>;
}

export interface ServeOptions extends AppOptions {
  host?: string;
  port?: number;
  /** Started before, drained after the HTTP side stops; the caller builds them. */
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
  const app = createApp(options);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = nodeServe({ fetch: app.fetch, hostname: host, port: options.port ?? 8765 }, () => resolve(s));
    s.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
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
      })()),
  };
}
