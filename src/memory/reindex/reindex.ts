import { MemoryError } from '../../spec/memory-error.js';
import type { OpenEngine } from '../engine.js';

export interface ReindexOptions {
  batchSize?: number;
  onProgress?: (done: number) => void;
}

export interface ReindexResult {
  reembedded: number;
  model: string;
  dimensions: number;
}

/**
 * Re-embeds every memory of every tenant with the configured embedder (after a model change).
 * Resumable: only memories whose vector is missing or from another model are embedded again.
 */
export async function reindex({ store, gate }: OpenEngine, options: ReindexOptions): Promise<ReindexResult> {
  const embedder = gate.embedder;
  if (!embedder) {
    throw new MemoryError(
      'invalid_config',
      'reindex needs an embedder; configure one (config embedder or ENGRAM_EMBEDDER).',
    );
  }
  const probe = await gate.embed(['engram dimension probe'], { check: false });
  const dimensions = probe![0]!.length;
  const width = await store.vectorWidth();
  const recorded = await store.getMeta('embedding_model');
  if (width !== dimensions || (recorded !== null && recorded !== embedder.id)) {
    await store.resetVectors(dimensions);
  }
  await store.setMeta('embedding_model', embedder.id);
  const batchSize = options.batchSize ?? 256;
  let done = 0;
  for (;;) {
    const batch = await store.versionsToEmbed(null, embedder.id, batchSize);
    if (batch.length === 0) break;
    const vectors = (await gate.embed(
      batch.map((r) => r.text),
      { check: false },
    ))!;
    await store.setEmbeddings(
      batch.map((r, i) => ({ tenant: r.tenant, id: r.id, version: r.version, embedding: vectors[i]! })),
      embedder.id,
    );
    done += batch.length;
    options.onProgress?.(done);
  }
  return { reembedded: done, model: embedder.id, dimensions };
}
