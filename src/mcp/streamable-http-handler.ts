import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { ScopedMemory } from '../memory/access/scoped-memory.js';
import { createMcpServer } from './create-mcp-server.js';

/** Answers one MCP request (a JSON-RPC POST) as the caller's scoped view of the engine. */
export type McpRequestHandler = (request: Request, scoped: ScopedMemory) => Promise<Response>;

/**
 * Streamable HTTP, stateless: each request gets a fresh server bound to the caller's scoped view,
 * so authentication and scope apply per request and no session state outlives it. The HTTP
 * server mounts what this returns at `/mcp` (injected by `engram serve`, so server and mcp never
 * import each other).
 */
export function streamableHttpHandler(options: { version?: string } = {}): McpRequestHandler {
  return async (request, scoped) => {
    const server = createMcpServer(scoped, options.version);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request);
    } finally {
      await server.close();
    }
  };
}
