import type { MemoryBundle, MessageRowOut } from '../../spec/store-transfer.js';
import { EXPORT_FORMAT, EXPORT_KINDS, EXPORT_VERSION, type ParsedExport } from '../export-format.js';

/**
 * Rows in the shape `engram import` checks and writes (a parsed export file), so a mem0 import
 * takes the same path: page transactions, progress under a key, rows already there skipped.
 * `model`: the embedding model the rows' vectors were made with (null: they carry none).
 */
export function parsedExport(
  tenant: string,
  memories: MemoryBundle[],
  messages: MessageRowOut[],
  model: string | null,
): ParsedExport {
  const rows = Object.fromEntries(EXPORT_KINDS.map((kind) => [kind, []])) as unknown as ParsedExport['rows'];
  rows.memories = memories;
  rows.messages = messages;
  const counts = Object.fromEntries(
    EXPORT_KINDS.map((kind) => [kind, rows[kind].length]),
  ) as ParsedExport['header']['counts'];
  return {
    header: {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      exportedAt: '',
      tenant,
      scope: null,
      withVectors: model !== null,
      embeddingModel: model,
      counts,
    },
    rows,
  };
}
