import { Hono } from 'hono';
import type { ScopedMemory } from '../memory/access/scoped-memory.js';
import type { AppEnv } from './app-env.js';

/**
 * Answers one authenticated `POST /mcp` as the caller's scoped view. The server does not build MCP
 * itself: the composition root (`engram serve`) passes the handler from `src/mcp/`.
 */
export type McpHandler = (request: Request, scoped: ScopedMemory) => Promise<Response>;

/** `/mcp`: streamable HTTP, stateless; GET (server-sent streams) and DELETE (sessions) are refused. */
export function mcpRoute(handler: McpHandler): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/mcp', (c) => handler(c.req.raw, c.get('scoped')));
  app.on(['GET', 'DELETE'], '/mcp', (c) =>
    c.json(
      {
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this endpoint is stateless; POST JSON-RPC.' },
        id: null,
      },
      405,
    ),
  );
  return app;
}
