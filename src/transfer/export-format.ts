import { MemoryError } from '../spec/memory-error.js';
import {
  GRAPH_TRANSFER_KINDS,
  TRANSFER_KINDS,
  type TransferKind,
  type TransferRows,
} from '../spec/store-transfer.js';

/*
 * `engram export` files: JSON Lines. Line 1 is the header (format, version, what was exported,
 * counts per kind); every other line is one row `{"kind": …, "row": …}` in the neutral shapes of
 * src/spec/store-transfer.ts, kinds in TRANSFER_KINDS order. API keys are listed without their
 * secret's hash (an export leaves the operator's hands); jobs are not exported.
 *
 * The graph's kinds (entities, merges, relations) came later without a new version: a file
 * without a graph reads as before (in older engram too, which skips the counts it does not know),
 * a file from before the graph counts its kinds as 0, and an older engram refuses a file that
 * carries a graph by its first "entities" line ("unknown kind"), importing nothing, rather than
 * dropping the graph silently.
 */

export const EXPORT_FORMAT = 'engram-export';
export const EXPORT_VERSION = 1;

/** The kinds an export file carries. */
export const EXPORT_KINDS = [
  'memories',
  'messages',
  'keys',
  'usage',
  ...GRAPH_TRANSFER_KINDS,
] as const satisfies readonly TransferKind[];
export type ExportKind = (typeof EXPORT_KINDS)[number];

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: number;
  exportedAt: string;
  /** null: every tenant. */
  tenant: string | null;
  scope: { userId?: string; agentId?: string; runId?: string } | null;
  withVectors: boolean;
  /** The model the exported vectors were made with (null without vectors). */
  embeddingModel: string | null;
  counts: Record<ExportKind, number>;
}

export interface ParsedExport {
  header: ExportHeader;
  rows: { [K in ExportKind]: TransferRows[K][] };
}

function refuse(line: number, why: string): never {
  throw new MemoryError(
    'invalid_input',
    `The export file is not usable at line ${line}: ${why}. Nothing was imported.`,
    {
      details: { line },
    },
  );
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields every row of a kind must have, with their JSON types (a cheap guard against hand-edited files). */
const REQUIRED: Record<ExportKind, Record<string, 'string' | 'number' | 'object' | 'boolean'>> = {
  memories: {
    id: 'string',
    tenant: 'string',
    state: 'string',
    version: 'number',
    versions: 'object',
    history: 'object',
  },
  messages: { tenant: 'string', role: 'string', content: 'string', eventTime: 'string', createdAt: 'string' },
  keys: { id: 'string', tenant: 'string', prefix: 'string', admin: 'boolean', createdAt: 'string' },
  usage: { tenant: 'string', adds: 'number', updatedAt: 'string' },
  entities: {
    id: 'string',
    tenant: 'string',
    name: 'string',
    key: 'string',
    keys: 'object',
    createdAt: 'string',
  },
  merges: { tenant: 'string', fromId: 'string', intoId: 'string', at: 'string' },
  relations: {
    id: 'string',
    tenant: 'string',
    sourceId: 'string',
    destinationId: 'string',
    fact: 'string',
    createdAt: 'string',
    messageRefs: 'object',
  },
};

/** Kinds a file written before them does not count: absent from its header means none. */
const LATER_KINDS: ReadonlySet<ExportKind> = new Set(GRAPH_TRANSFER_KINDS);

/**
 * Parses and checks a whole file before anything is written: the header, every line's JSON and
 * shape, the kinds' order, and the counts against the header (a truncated file is refused, with
 * the line where it stops).
 */
export function parseExport(text: string): ParsedExport {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) refuse(1, 'the file is empty');
  let header: unknown;
  try {
    header = JSON.parse(lines[0]!);
  } catch {
    refuse(1, 'the header is not JSON');
  }
  if (!isObject(header) || header.format !== EXPORT_FORMAT)
    refuse(1, `the header does not name the format "${EXPORT_FORMAT}"`);
  if (header.version !== EXPORT_VERSION) {
    refuse(
      1,
      `format version ${String(header.version)} is not one this engram reads (${EXPORT_VERSION}); upgrade engram`,
    );
  }
  if (!isObject(header.counts)) refuse(1, 'the header has no counts');
  const rows = Object.fromEntries(EXPORT_KINDS.map((kind) => [kind, []])) as unknown as ParsedExport['rows'];
  let kindIndex = 0;
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    let entry: unknown;
    try {
      entry = JSON.parse(lines[i]!);
    } catch {
      refuse(n, 'the line is not JSON (a file cut off while it was written?)');
    }
    if (!isObject(entry) || typeof entry.kind !== 'string' || !isObject(entry.row)) {
      refuse(n, 'expected {"kind": …, "row": {…}}');
    }
    const kind = entry.kind as ExportKind;
    const at = EXPORT_KINDS.indexOf(kind);
    if (at < 0) refuse(n, `unknown kind "${entry.kind}"; known: ${EXPORT_KINDS.join(', ')}`);
    if (at < kindIndex)
      refuse(
        n,
        `a ${kind} row after ${EXPORT_KINDS[kindIndex]} rows (kinds come in the order ${EXPORT_KINDS.join(', ')})`,
      );
    kindIndex = at;
    for (const [field, type] of Object.entries(REQUIRED[kind])) {
      if (typeof entry.row[field] !== type) refuse(n, `the ${kind} row lacks "${field}" (${type})`);
    }
    (rows[kind] as unknown[]).push(entry.row);
  }
  const counts = header.counts as Record<string, unknown>;
  for (const kind of LATER_KINDS) counts[kind] ??= 0;
  for (const kind of EXPORT_KINDS) {
    if (rows[kind].length !== counts[kind]) {
      refuse(
        lines.length + 1,
        `the header announces ${String(counts[kind])} ${kind} but the file holds ${rows[kind].length} (truncated or edited)`,
      );
    }
  }
  return { header: header as unknown as ExportHeader, rows };
}

export function headerLine(header: ExportHeader): string {
  return JSON.stringify(header);
}

export function rowLine<K extends ExportKind>(kind: K, row: TransferRows[K]): string {
  return JSON.stringify({ kind, row });
}

export { TRANSFER_KINDS };
