import { createHash } from 'node:crypto';
import type { Memory } from '../../memory/memory.js';
import { createEmbedder } from '../../providers/registry.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { FetchLike } from '../../spec/provider-settings.js';
import { decideVectors, type TargetEmbedder, withVector } from './decide-vectors.js';
import { dropTakenTexts } from './drop-taken-texts.js';
import type { Mem0ImportReport } from './mem0-import-report.js';
import { mem0Messages } from './mem0-messages.js';
import type { Mem0Skip, Mem0SkipCode, Mem0SourceData } from './mem0-records.js';
import { type Mem0SourceSpec, parseMem0Source } from './mem0-source.js';
import { mem0ToBundles } from './mem0-to-bundles.js';
import { parseScopeFlag } from './parse-scope-flag.js';
import { parsedExport } from './parsed-export.js';
import { type ChromaSourceOptions, readChroma } from './read-chroma.js';
import { readMem0Sqlite } from './read-mem0-sqlite.js';
import { readQdrant } from './read-qdrant.js';

export type Mem0ImportPhase = 'read' | 'write' | 'embed';

export interface Mem0ImportOptions {
  /** `--from-mem0` values (mem0-source.ts). */
  sources: readonly string[];
  /** Where relative paths start. */
  cwd: string;
  /** The model that made the source's vectors (`provider:model`, or the model alone): they are kept when it is the configured embedder. */
  sourceEmbedder?: string | undefined;
  /** `user=alice[,agent=bot][,run=r1]`: where memories go whose scope mem0 did not record. */
  unscopedInto?: string | undefined;
  qdrantApiKey?: string | undefined;
  fetch?: FetchLike | undefined;
  importChroma?: ChromaSourceOptions['importClient'];
  /** The embedder the memory embeds with (default: built from memory.config.embedder; null: none). */
  targetEmbedder?: TargetEmbedder | null | undefined;
  onProgress?: ((phase: Mem0ImportPhase, done: number, total: number) => void) | undefined;
}

/** Skips of a memory the source holds (not of an entity-index entry, a second copy of an id, or a message). */
const MEMORY_SKIPS: ReadonlySet<Mem0SkipCode> = new Set<Mem0SkipCode>([
  'no_text',
  'invalid_text',
  'invalid_metadata',
  'invalid_scope',
  'no_scope',
  'duplicate_text',
  'text_taken',
  'not_in_vector_store',
]);

/** Memories per import page: each page is one `memory.data.import` (its own transactions and progress key). */
const PAGE = 250;

/**
 * Imports a mem0 installation into `memory`'s tenant: reads every source whole (a malformed one
 * is refused, naming it, before anything is written), turns its memories into the neutral rows
 * `engram import` writes (mem0-to-bundles.ts) and writes them through that same path, so pages
 * are transactions, rows already there (by id) are skipped and an interrupted import resumes.
 * Vectors are kept when they fit the configured embedder (decide-vectors.ts); the configured
 * embedder then embeds whatever has none. Sources are only read.
 */
export async function importMem0(memory: Memory, options: Mem0ImportOptions): Promise<Mem0ImportReport> {
  if (options.sources.length === 0) throw new MemoryError('invalid_input', '--from-mem0 needs a source.');
  const specs = options.sources.flatMap((given) => parseMem0Source(given, options.cwd));
  const unscopedInto = options.unscopedInto === undefined ? null : parseScopeFlag(options.unscopedInto);
  const sources: Mem0SourceData[] = [];
  const passedOver: string[] = [];
  for (const spec of specs) {
    const data = await readSource(spec, options);
    if (data === null) passedOver.push(spec.given);
    else sources.push(data);
  }
  if (sources.length === 0) {
    throw new MemoryError(
      'invalid_input',
      `No mem0 data in ${options.sources.join(', ')}: none of its SQLite files holds mem0's history or vector store. Nothing was imported.`,
    );
  }

  const tenant = memory.tenant;
  const converted = mem0ToBundles(sources, {
    tenant,
    limits: memory.config.limits,
    unscopedInto,
    now: memory.now(),
  });
  const messages = mem0Messages(sources, tenant);
  const store = await memory.store();
  const skipped: Mem0Skip[] = [...converted.skipped, ...messages.skipped];
  const memories = await dropTakenTexts(store, converted.memories, skipped);
  const target = options.targetEmbedder !== undefined ? options.targetEmbedder : configuredEmbedder(memory);
  const vectors = decideVectors(memories, {
    sourceEmbedder: options.sourceEmbedder,
    target,
    storeModel: await store.getMeta('embedding_model'),
    storeWidth: await store.vectorWidth(),
  });
  const bundles = memories.map((m) => withVector(m, vectors.keep ? vectors.model : null));

  // Row by row: one string of every row (vectors included) could outgrow what V8 allows.
  const hash = createHash('sha256');
  for (const row of [...bundles, ...messages.rows]) hash.update(JSON.stringify(row));
  const digest = hash.digest('hex').slice(0, 16);
  const written = { memories: 0, present: 0, messages: 0, messagesPresent: 0 };
  options.onProgress?.('write', 0, bundles.length);
  for (let start = 0, page = 0; start < bundles.length; start += PAGE, page++) {
    const rows = bundles.slice(start, start + PAGE);
    const report = await memory.data.import(
      parsedExport(tenant, rows, [], vectors.keep ? vectors.model : null),
      `mem0:${digest}:${page}`,
    );
    const kind = report.kinds.find((k) => k.kind === 'memories')!;
    written.memories += kind.written;
    // Rows a previous import of the same source recorded as done are not even offered again.
    written.present += rows.length - kind.written;
    options.onProgress?.('write', start + rows.length, bundles.length);
  }
  if (messages.rows.length > 0) {
    const report = await memory.data.import(
      parsedExport(tenant, [], messages.rows, null),
      `mem0:${digest}:messages`,
    );
    const kind = report.kinds.find((k) => k.kind === 'messages')!;
    written.messages = kind.written;
    written.messagesPresent = messages.rows.length - kind.written;
  }

  // Versions without a vector (all of them when the source's were not kept; older versions
  // otherwise: mem0 keeps only the current text's vector). reindex embeds just those, and starts
  // over should the embedder's real width differ from the kept vectors'.
  const unembedded = bundles.reduce(
    (n, b) => n + (b.state === 'deleted' ? 0 : b.versions.filter((v) => v.embedding === null).length),
    0,
  );
  let reembedded: number | null = null;
  // Asked of the store, not of this run: an import interrupted before its embedding resumes it.
  if (target !== null && (await store.versionsToEmbed(tenant, target.id, 1)).length > 0) {
    options.onProgress?.('embed', 0, unembedded);
    reembedded = (
      await memory.reindex({
        onProgress: (done) => options.onProgress?.('embed', done, Math.max(done, unembedded)),
      })
    ).reembedded;
  }

  const notes: string[] = [];
  if (converted.estimatedTimes > 0) {
    notes.push(
      `${converted.estimatedTimes} history events had no time in mem0 (it records none for deletions): each is dated at the latest time before it in the history`,
    );
  }
  if (converted.ignoredDeletes > 0) {
    notes.push(
      `${converted.ignoredDeletes} DELETE events were ignored: their memories are still in the vector store, so they are imported as active`,
    );
  }
  if (target === null && unembedded > 0 && written.memories > 0) {
    notes.push(
      'no embedder is configured: configure one and run `engram reindex` to embed the imported memories (keyword search works meanwhile)',
    );
  }
  return {
    sources: sources.map((s) => ({
      source: s.label,
      memories: s.points?.length ?? 0,
      historyRows: s.history?.length ?? 0,
      messages: s.messages.length,
    })),
    passedOver,
    memories: {
      found: bundles.length + skipped.filter((s) => MEMORY_SKIPS.has(s.code)).length,
      imported: written.memories,
      alreadyThere: written.present,
      active: bundles.filter((b) => b.state === 'active').length,
      deleted: bundles.filter((b) => b.state === 'deleted').length,
      versions: bundles.reduce((n, b) => n + b.versions.length, 0),
      historyEvents: bundles.reduce((n, b) => n + b.history.length, 0),
    },
    messages: {
      found: messages.rows.length,
      imported: written.messages,
      alreadyThere: written.messagesPresent,
    },
    vectors: {
      kept: vectors.keep ? memories.filter((m) => m.vector !== null).length : 0,
      reason: vectors.reason,
      reembedded,
    },
    skipped,
    notes,
  };
}

async function readSource(spec: Mem0SourceSpec, options: Mem0ImportOptions): Promise<Mem0SourceData | null> {
  const progress = (done: number, total: number) => options.onProgress?.('read', done, total);
  switch (spec.kind) {
    case 'sqlite':
      return readMem0Sqlite(spec);
    case 'qdrant':
      return readQdrant(spec, { apiKey: options.qdrantApiKey, fetch: options.fetch, onProgress: progress });
    case 'chroma':
      return readChroma(spec, { importClient: options.importChroma, onProgress: progress });
  }
}

function configuredEmbedder(memory: Memory): TargetEmbedder | null {
  const settings = memory.config.embedder;
  if (settings === null) return null;
  // Built only to read its id and width (no I/O), as the engine builds it.
  const embedder = createEmbedder(settings);
  return { id: embedder.id, dimensions: embedder.dimensions };
}
