import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the fake server received it, for asserting exactly what a client sent. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface InjectedFailure {
  status: number;
  /** How many consecutive requests fail (default 1). */
  count?: number;
  /** JSON body; each fake has a realistic default. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** How a route handler answers; every method is a no-op once the client has gone (e.g. after its timeout). */
export interface FakeReply {
  json(status: number, body: unknown, headers?: Record<string, string>): void;
  text(status: number, body: string): void;
  /** Writes `chunks` one by one with `gapMs` between them, then ends the response. */
  stream(contentType: string, chunks: string[], gapMs?: number): Promise<void>;
  wait(ms: number): Promise<void>;
}

export type FakeRoute = (request: RecordedRequest, reply: FakeReply) => void | Promise<void>;

export interface FakeHttpServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  requests: RecordedRequest[];
  /** Requests to one path, e.g. requestsTo('/api/embed'). */
  requestsTo(path: string): RecordedRequest[];
  failNext(route: string, failure: InjectedFailure): void;
  /** Every request waits this long before it is handled (to trigger client timeouts). */
  delayMs: number;
  /**
   * From now on every request is recorded and then left unanswered until the returned function
   * is called (or the server closes). A client timeout is then the only way a call can end, so a
   * timeout test never races a real reply, however loaded the machine is.
   */
  hold(): () => void;
  close(): Promise<void>;
}

export interface FakeHttpOptions {
  delayMs?: number;
  /** The body an injected failure sends when the test gives none. */
  defaultFailureBody: (status: number) => unknown;
  /** Runs before failure injection and routing; returning true means it answered (e.g. a 401). */
  guard?: (request: RecordedRequest, reply: FakeReply) => boolean;
}

/** A real HTTP server on 127.0.0.1 (random port) with recording, failure injection and delays. */
export async function startFakeHttp(
  routes: Record<string, FakeRoute>,
  options: FakeHttpOptions,
): Promise<FakeHttpServer> {
  const requests: RecordedRequest[] = [];
  const failures = new Map<string, Required<Pick<InjectedFailure, 'status' | 'count'>> & InjectedFailure>();
  const timers = new Set<NodeJS.Timeout>();
  const holds = new Set<() => void>();
  let held: Promise<void> | undefined;
  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const fake: FakeHttpServer = {
    url: '',
    requests,
    requestsTo: (path) => requests.filter((request) => request.path === path),
    failNext(route, failure) {
      failures.set(route, { ...failure, count: failure.count ?? 1 });
    },
    delayMs: options.delayMs ?? 0,
    hold() {
      let open: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      held = gate;
      const release = () => {
        holds.delete(release);
        if (held === gate) held = undefined;
        open();
      };
      holds.add(release);
      return release;
    },
    close: async () => {
      for (const release of [...holds]) release();
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer((req, res) => {
    res.on('error', () => undefined);
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) res.writeHead(500).end(String(error));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = await record(req);
    requests.push(request);
    const reply = replyOn(res, wait);
    if (held !== undefined) await held;
    if (fake.delayMs > 0) await wait(fake.delayMs);
    if (options.guard?.(request, reply)) return;

    const failure = failures.get(request.path);
    if (failure !== undefined) {
      failure.count -= 1;
      if (failure.count <= 0) failures.delete(request.path);
      reply.json(failure.status, failure.body ?? options.defaultFailureBody(failure.status), failure.headers);
      return;
    }
    const route = routes[`${request.method} ${request.path}`];
    if (route === undefined) return reply.text(404, '404 page not found');
    await route(request, reply);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  const path = new URL(req.url ?? '/', 'http://fake').pathname;
  return { method: req.method ?? 'GET', path, headers, body };
}

function replyOn(res: ServerResponse, wait: (ms: number) => Promise<void>): FakeReply {
  const gone = () => res.destroyed || res.writableEnded;
  return {
    json(status, body, headers = {}) {
      if (gone()) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    },
    text(status, body) {
      if (gone()) return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    },
    async stream(contentType, chunks, gapMs = 0) {
      if (gone()) return;
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-cache' });
      for (const chunk of chunks) {
        if (gone()) return;
        res.write(chunk);
        if (gapMs > 0) await wait(gapMs);
      }
      if (!gone()) res.end();
    },
    wait,
  };
}

/**
 * The global fetch, counting the calls a client makes. A timeout test counts attempts here, not
 * at the server: under load a client may abort a request before the server has read it.
 */
export function countingFetch(): {
  fetch: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  calls: () => number;
} {
  let calls = 0;
  return {
    fetch: (input, init) => {
      calls += 1;
      return fetch(input, init);
    },
    calls: () => calls,
  };
}
