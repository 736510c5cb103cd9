import { MemoryError } from '../spec/memory-error.js';
import type { Store } from '../spec/store.js';
import type {
  EntityRowOut,
  KeyRowOut,
  MemoryBundle,
  StoreTransfer,
  TransferRows,
} from '../spec/store-transfer.js';
import {
  EXPORT_FORMAT,
  EXPORT_KINDS,
  EXPORT_VERSION,
  type ExportHeader,
  type ExportKind,
  headerLine,
  type ParsedExport,
  rowLine,
} from './export-format.js';

const PAGE = 500;

export interface ExportOptions {
  /** null: every tenant (an operator's full export). */
  tenant: string | null;
  /** Only this scope of the tenant (keys are then left out: they belong to the tenant). */
  scope: { userId?: string; agentId?: string; runId?: string } | null;
  withVectors: boolean;
  now: string;
}

export interface ImportReport {
  kinds: { kind: ExportKind; rows: number; written: number; present: number }[];
  /** Keys are listed in an export without their secret's hash, so they are never imported. */
  keysListed: number;
  /** Vectors were left out (not in the file, or made by another model than the target's). */
  vectorsMissing: boolean;
}

function transferOf(store: Store): StoreTransfer {
  if (!store.transfer) {
    throw new MemoryError(
      'invalid_config',
      `The ${store.dialect} store cannot export or import (it offers no transfer).`,
    );
  }
  return store.transfer;
}

type Scoped = { tenant: string; userId?: string | null; agentId?: string | null; runId?: string | null };

/**
 * Graph rows carry their owner's id alone (the user, else the agent, else the run), so a scope
 * that names exactly its owner ({user}, or {agent} or {run} alone) takes the owner's whole graph,
 * as an erasure of that scope removes it; a narrower scope ({user, agent}) takes none of it.
 */
function inScope(row: Scoped, options: ExportOptions): boolean {
  if (options.tenant !== null && row.tenant !== options.tenant) return false;
  const scope = options.scope;
  if (!scope) return true;
  // Usage rows store absent ids as ''.
  const same = (want: string | undefined, have: string | null | undefined) =>
    want === undefined || (have || null) === want;
  return same(scope.userId, row.userId) && same(scope.agentId, row.agentId) && same(scope.runId, row.runId);
}

/** What an export writes of one row, or null to leave it out. */
function shape<K extends ExportKind>(
  kind: K,
  row: TransferRows[K],
  options: ExportOptions,
): TransferRows[K] | null {
  if (!inScope(row as Scoped, options)) return null;
  if (kind === 'keys') {
    if (options.scope) return null;
    const { hash: _secret, ...listed } = row as KeyRowOut;
    return listed as TransferRows[K];
  }
  if (options.withVectors) return row;
  if (kind === 'memories') return withoutVectors(row as MemoryBundle) as TransferRows[K];
  if (kind === 'entities') return { ...(row as EntityRowOut), vector: null } as TransferRows[K];
  return row;
}

function withoutVectors(bundle: MemoryBundle): MemoryBundle {
  return { ...bundle, versions: bundle.versions.map((v) => ({ ...v, embedding: null })) };
}

async function* rowsOf<K extends ExportKind>(
  transfer: StoreTransfer,
  kind: K,
): AsyncGenerator<TransferRows[K]> {
  let position = 0;
  for (;;) {
    const page = await transfer.exportRows(kind, position, PAGE);
    if (page.next === null) return;
    yield* page.rows;
    position = page.next;
  }
}

/**
 * Writes an export: the header (with counts, so a first pass counts what the second writes),
 * then every row in the neutral transfer shapes. The store is only read.
 */
export async function exportData(
  store: Store,
  options: ExportOptions,
  write: (line: string) => void | Promise<void>,
): Promise<ExportHeader> {
  const transfer = transferOf(store);
  const counts = Object.fromEntries(EXPORT_KINDS.map((kind) => [kind, 0])) as Record<ExportKind, number>;
  for (const kind of EXPORT_KINDS) {
    for await (const row of rowsOf(transfer, kind)) if (shape(kind, row, options)) counts[kind] += 1;
  }
  const header: ExportHeader = {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: options.now,
    tenant: options.tenant,
    scope: options.scope,
    withVectors: options.withVectors,
    embeddingModel: options.withVectors ? await store.getMeta('embedding_model') : null,
    counts,
  };
  await write(headerLine(header));
  for (const kind of EXPORT_KINDS) {
    for await (const row of rowsOf(transfer, kind)) {
      const out = shape(kind, row, options);
      if (out) await write(rowLine(kind, out));
    }
  }
  return header;
}

/**
 * Imports a parsed (and so already checked) export. Pages are written in transactions that record
 * how far the import got under `progressKey` (a digest of the file): importing the same file
 * twice, or again after an interruption, writes nothing twice. Vectors are kept when the file has
 * them and they fit the target (same model, or a target with none yet); otherwise they are left
 * out and `vectorsMissing` says that a reindex is due (entities then have no name vectors: new
 * names are matched to them by name and alias, not by similarity).
 */
export async function importData(
  store: Store,
  parsed: ParsedExport,
  progressKey: string,
): Promise<ImportReport> {
  const transfer = transferOf(store);
  const { header } = parsed;
  const targetModel = await store.getMeta('embedding_model');
  const width = await store.vectorWidth();
  const fileWidth = (
    parsed.rows.memories.flatMap((b) => b.versions).find((v) => v.embedding)?.embedding ??
    parsed.rows.entities.find((e) => e.vector)?.vector
  )?.length;
  const keepVectors =
    header.withVectors &&
    header.embeddingModel !== null &&
    (targetModel === null || targetModel === header.embeddingModel) &&
    (width === null || fileWidth === undefined || width === fileWidth);
  if (keepVectors && targetModel === null && fileWidth !== undefined) {
    await store.setMeta('embedding_model', header.embeddingModel!);
  }
  const memories = keepVectors ? parsed.rows.memories : parsed.rows.memories.map(withoutVectors);
  const entities = keepVectors
    ? parsed.rows.entities
    : parsed.rows.entities.map((e) => ({ ...e, vector: null }));
  const report: ImportReport = { kinds: [], keysListed: parsed.rows.keys.length, vectorsMissing: false };
  const plan: [ExportKind, unknown[]][] = [
    ['memories', memories],
    ['messages', parsed.rows.messages],
    ['usage', parsed.rows.usage],
    // The graph after the memories its relations came from, entities before what names them.
    ['entities', entities],
    ['merges', parsed.rows.merges],
    ['relations', parsed.rows.relations],
  ];
  for (const [kind, rows] of plan) {
    const key = `${progressKey}:${kind}`;
    let position = await transfer.progress(key);
    const entry = { kind, rows: rows.length, written: 0, present: 0 };
    while (position < rows.length) {
      const page = rows.slice(position, position + PAGE) as TransferRows[typeof kind][];
      const written = await transfer.importRows(kind, page, { key, position: position + page.length });
      entry.written += written;
      entry.present += page.length - written;
      position += page.length;
    }
    report.kinds.push(entry);
  }
  report.vectorsMissing = memories.some(
    (b) => b.state !== 'deleted' && b.versions.some((v) => v.indexed && !v.embedding),
  );
  return report;
}
