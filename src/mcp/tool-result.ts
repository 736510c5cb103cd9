import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorPayload } from '../memory/access/error-payload.js';
import { MCP_HINTS } from './mcp-hints.js';

/** A tool's value as JSON text (and structured content for clients that read it). */
export function toolResult(value: unknown): CallToolResult {
  const structured = Array.isArray(value) ? { results: value } : (value as Record<string, unknown>);
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: structured };
}

/**
 * A failing tool answers `isError` with the error code and a message that says how to fix it.
 * An internal failure answers in the same plain words as over REST (no SQLite text, no file
 * paths); ENGRAM_DEBUG=1 adds the raw message for whoever runs the server.
 */
export function toolError(error: unknown): CallToolResult {
  const { body } = errorPayload(error, { hints: MCP_HINTS });
  const debug = process.env.ENGRAM_DEBUG && error instanceof Error ? ` (${error.message})` : '';
  const message = body.error.code === 'internal_error' ? `${body.error.message}${debug}` : body.error.message;
  return {
    isError: true,
    content: [{ type: 'text', text: `${body.error.code}: ${message}` }],
    structuredContent: { error: { ...body.error, message } },
  };
}

export async function runTool(work: () => Promise<unknown>): Promise<CallToolResult> {
  try {
    return toolResult(await work());
  } catch (error) {
    return toolError(error);
  }
}
