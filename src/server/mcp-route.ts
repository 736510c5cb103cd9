import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { Hono } from 'hono';
import { createMcpServer } from '../mcp/create-mcp-server.js';
import type { AppEnv } from './app-env.js';

/**
 * `/mcp`: streamable HTTP, stateless. Each POST gets a fresh server bound to the caller's key,
 * so authentication and scope apply per request and no session state outlives it.
 */
export function mcpRoute(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.post('/mcp', async (c) => {
    const server = createMcpServer(c.get('scoped'));
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
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
