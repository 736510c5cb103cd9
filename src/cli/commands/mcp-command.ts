import type { Command } from 'commander';
import { runStdioServer } from '../../mcp/run-stdio-server.js';
import { globalOptions, type RegisterCommand } from '../cli-context.js';
import { withMemory } from '../open-memory.js';

export const mcpCommand: RegisterCommand = (program, context) => {
  program
    .command('mcp')
    .description('run the MCP server on stdio (tools: add_memory, search_memory, list_memories, ...)')
    .option('--user <id>', 'confine every tool call to this user')
    .option('--agent <id>', 'confine every tool call to this agent')
    .action(async (options: Record<string, unknown>, command: Command) => {
      const globals = globalOptions(command);
      await withMemory(
        globals,
        context,
        (memory) =>
          runStdioServer(memory, {
            tenant: memory.tenant,
            keyId: null,
            admin: false,
            pin: {
              userId: typeof options.user === 'string' ? options.user : null,
              agentId: typeof options.agent === 'string' ? options.agent : null,
            },
          }),
        // The stdio server records each tool call (channel mcp); the command itself is not an entry.
        { audit: false },
      );
    });
};
