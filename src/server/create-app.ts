import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { hashApiKey } from '../memory/access/issue-api-key.js';
import { openPrincipal, type Principal } from '../memory/access/principal.js';
import { recordCalls } from '../memory/audit/record-calls.js';
import type { Memory } from '../memory/memory.js';
import type { WebhooksOptions } from '../webhooks/webhooks.js';
import type { AppEnv } from './app-env.js';
import { docsPage } from './docs-page.js';
import { toErrorResponse } from './error-response.js';
import { HttpError } from './http-error.js';
import { type JsonLogger, silentLogger } from './json-logger.js';
import { type McpHandler, mcpRoute } from './mcp-route.js';
import { Mem0Platform } from './mem0-platform.js';
import { Metrics } from './metrics.js';
import { openApiDocument } from './openapi-document.js';
import { type RateLimit, RateLimiter } from './rate-limiter.js';
import { readApiKey } from './read-api-key.js';
import { auditRoutes } from './routes/audit-routes.js';
import { graphRoutes } from './routes/graph-routes.js';
import { keyRoutes } from './routes/key-routes.js';
import { memoryRoutes } from './routes/memory-routes.js';
import { observeRoutes } from './routes/observe-routes.js';
import { type HealthCheck, opsRoutes } from './routes/ops-routes.js';
import { platformRoutes } from './routes/platform-routes.js';
import { transferRoutes } from './routes/transfer-routes.js';

export interface AppOptions {
  /** ONE engine for the whole server; each request uses its key's tenant view of it. */
  memory: Memory;
  /** false: no keys, every request acts as an admin of memory.tenant (serve allows it on loopback only). */
  auth?: boolean;
  /** Per key; null turns limiting off. Default 50 requests/s with bursts of 100. */
  rateLimit?: RateLimit | null;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  logger?: JsonLogger;
  metrics?: Metrics;
  /** Named reachability checks reported by /ready, e.g. {embedder, llm}. */
  checks?: Record<string, HealthCheck>;
  version?: string;
  nowMs?: () => number;
  /** Serves `POST /mcp` when given (`engram serve` passes `streamableHttpHandler()` from src/mcp); absent: no /mcp. */
  mcp?: McpHandler;
  /** mem0 webhooks: retry delays, poll interval of queued adds, fetch (tests). */
  webhooks?: WebhooksOptions;
}

/** The app, and `dispose()`, which detaches it from the engine (`serve` calls it on close). */
export type EngramApp = Hono<AppEnv> & {
  /** Stops observing the engine's model calls; idempotent. The engine stays open. */
  dispose(): void;
};

/** The HTTP app: Web-standard Request → Response, testable with `app.request()` and no port. */
export function createApp(options: AppOptions): EngramApp {
  const { memory } = options;
  const auth = options.auth ?? true;
  const logger = options.logger ?? silentLogger;
  const metrics = options.metrics ?? new Metrics();
  // LLM and embedding call latency and tokens reach /metrics from the engine itself, until the
  // app is disposed: an engine outlives the apps built on it (tests, a restarted server).
  const unobserve = memory.observeModels(metrics);
  // Audit entries are written off the request path; a batch that fails is logged, never the request's failure.
  const unaudit = memory.audit.onFailure((message, fields) => logger.error(message, fields));
  // mem0's project features (custom instructions, exports, webhooks) for every tenant of the engine.
  const platform = new Mem0Platform({
    memory,
    logger,
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
  });
  const nowMs = options.nowMs ?? Date.now;
  const limiter =
    options.rateLimit === null ? null : new RateLimiter(options.rateLimit ?? { perSecond: 50, burst: 100 });
  const version = options.version ?? '0.1.0';
  const views = new Map<string, Memory>();
  const view = (tenant: string): Memory => {
    const known = views.get(tenant);
    if (known) return known;
    const fresh = tenant === memory.tenant ? memory : memory.forTenant(tenant);
    views.set(tenant, fresh);
    return fresh;
  };
  let openapi: Record<string, unknown> | undefined;
  const document = () => {
    openapi ??= openApiDocument(version);
    return openapi;
  };

  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.res.status === 404 && c.req.routePath === '/*' ? '(unmatched)' : c.req.routePath;
    metrics.observeRequest(c.req.method, route, c.res.status, seconds);
    logger.info('request', {
      method: c.req.method,
      path: c.req.path,
      route,
      status: c.res.status,
      ms: Math.round(seconds * 100_000) / 100,
      tenant: c.var.scoped?.principal.tenant,
      key_id: c.var.scoped?.principal.keyId,
    });
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: options.maxBodyBytes ?? 1024 * 1024,
      onError: () => {
        throw new HttpError(
          413,
          'payload_too_large',
          `The request body is larger than ${options.maxBodyBytes ?? 1024 * 1024} bytes.`,
        );
      },
    }),
  );

  app.route('/', opsRoutes(memory, metrics, options.checks ?? {}));
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => c.html(docsPage(document())));

  app.use('*', async (c, next) => {
    const principal = auth
      ? await authenticate(memory, readApiKey(c.req.header('authorization'), c.req.header('x-api-key')))
      : openPrincipal(memory.tenant);
    if (limiter) {
      const taken = limiter.take(principal.keyId ?? 'open', nowMs());
      if (!taken.ok) {
        throw new HttpError(
          429,
          'rate_limited',
          `Too many requests for this API key; retry in ${taken.retryAfterS} s.`,
          {
            details: { retry_after_s: taken.retryAfterS },
            headers: { 'Retry-After': String(taken.retryAfterS) },
          },
        );
      }
    }
    // Every call the request makes through its view is recorded in the audit log (docs/security.md).
    const tenantView = view(principal.tenant);
    c.set(
      'scoped',
      recordCalls(platform.scoped(tenantView, principal), tenantView.audit, {
        channel: c.req.path === '/mcp' ? 'mcp' : 'rest',
        keyId: principal.keyId,
        actor: principal.keyId === null ? 'open' : `key:${principal.keyId}`,
        pin: principal.pin,
      }),
    );
    await next();
  });

  app.route('/', memoryRoutes());
  app.route('/', graphRoutes());
  app.route('/', observeRoutes(metrics));
  app.route('/', keyRoutes());
  app.route('/', transferRoutes());
  app.route('/', auditRoutes());
  app.route('/', platformRoutes(platform));
  if (options.mcp) app.route('/', mcpRoute(options.mcp));

  app.notFound((c) =>
    c.json(
      {
        error: {
          code: 'route_not_found',
          message: `No route ${c.req.method} ${c.req.path}; see /docs.`,
          details: { method: c.req.method, path: c.req.path },
        },
      },
      404,
    ),
  );

  app.onError((error, c) => {
    const { status, body, headers } = toErrorResponse(error);
    metrics.countError(body.error.code);
    if (status >= 500)
      logger.error('request failed', {
        path: c.req.path,
        code: body.error.code,
        error: String(error?.stack ?? error),
      });
    for (const [k, v] of Object.entries(headers)) c.header(k, v);
    return c.json(body, status as 400);
  });

  return Object.assign(app, {
    dispose: () => {
      unobserve();
      unaudit();
      platform.close();
    },
  });
}

async function authenticate(memory: Memory, secret: string | null): Promise<Principal> {
  if (secret === null) {
    throw new HttpError(
      401,
      'unauthorized',
      'Send an API key: Authorization: Token <key> (or Bearer <key>, or X-API-Key: <key>). Create one with `engram keys create --tenant <name>`.',
      {
        headers: { 'WWW-Authenticate': 'Bearer realm="engram"' },
      },
    );
  }
  const key = await memory.keys.findApiKey(hashApiKey(secret));
  if (!key) {
    throw new HttpError(401, 'invalid_api_key', 'This API key is unknown or revoked.', {
      headers: { 'WWW-Authenticate': 'Bearer realm="engram", error="invalid_token"' },
    });
  }
  return {
    tenant: key.tenant,
    keyId: key.id,
    admin: key.admin,
    pin: { userId: key.userId, agentId: key.agentId },
  };
}
