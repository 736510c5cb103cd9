import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer } from '../../src/mcp/create-mcp-server.js';
import type { Principal } from '../../src/memory/access/principal.js';
import { ScopedMemory } from '../../src/memory/access/scoped-memory.js';
import type { Memory } from '../../src/memory/memory.js';

/** A principal of `tenant` with no pin and no admin rights (what most MCP tests act as). */
export function unpinned(tenant: string): Principal {
  return { tenant, keyId: null, admin: false, pin: { userId: null, agentId: null } };
}

/** An MCP client connected to engram's tools over the SDK's linked in-memory transport. */
export async function connectMcpInMemory(memory: Memory, principal: Principal): Promise<Client> {
  const server = createMcpServer(new ScopedMemory(memory.forTenant(principal.tenant), principal));
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  return client;
}
