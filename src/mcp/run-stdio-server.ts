import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Principal } from '../memory/access/principal.js';
import { ScopedMemory } from '../memory/access/scoped-memory.js';
import type { Memory } from '../memory/memory.js';
import { createMcpServer } from './create-mcp-server.js';

/** `engram mcp`: the tools on stdin/stdout for a local client; resolves when the client disconnects. */
export async function runStdioServer(memory: Memory, principal: Principal): Promise<void> {
  const server = createMcpServer(new ScopedMemory(memory.forTenant(principal.tenant), principal));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  await closed;
}
