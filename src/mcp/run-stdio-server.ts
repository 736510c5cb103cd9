import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Principal } from '../memory/access/principal.js';
import { ScopedMemory } from '../memory/access/scoped-memory.js';
import { localActor } from '../memory/audit/local-actor.js';
import { recordCalls } from '../memory/audit/record-calls.js';
import type { Memory } from '../memory/memory.js';
import { createMcpServer } from './create-mcp-server.js';

/** `engram mcp`: the tools on stdin/stdout for a local client; resolves when the client disconnects. */
export async function runStdioServer(memory: Memory, principal: Principal): Promise<void> {
  const view = memory.forTenant(principal.tenant);
  // Every tool call is recorded in the audit log like the server's (channel mcp, the OS user as actor).
  const scoped = recordCalls(new ScopedMemory(view, principal), view.audit, {
    channel: 'mcp',
    keyId: principal.keyId,
    actor: localActor(),
    pin: principal.pin,
  });
  const server = createMcpServer(scoped);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
  });
  await server.connect(transport);
  await closed;
}
