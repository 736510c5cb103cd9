import type { MemoryBundle } from '../../spec/store-transfer.js';
import type { BuiltMemory } from './build-bundle.js';

/** The embedder engram embeds with: its id (`provider:model`) and width when known before a call. */
export interface TargetEmbedder {
  id: string;
  dimensions?: number | undefined;
}

export interface VectorDecision {
  keep: boolean;
  /** The model id the kept vectors are recorded under. */
  model: string | null;
  /** Why, in words, for the report. */
  reason: string;
}

/**
 * Whether the source's vectors can stand in engram's store: only when they were made by the
 * model engram embeds with (mem0 does not record its model, so the user names it) at the same
 * width, and the store holds no vectors of another model or width. Otherwise the configured
 * embedder embeds the memories again: vectors of two models in one index make distances
 * meaningless. A wrong width the configured embedder turns out to have is caught after the
 * import, when reindex probes it and starts over.
 */
export function decideVectors(
  memories: readonly BuiltMemory[],
  context: {
    sourceEmbedder: string | undefined;
    target: TargetEmbedder | null;
    storeModel: string | null;
    storeWidth: number | null;
  },
): VectorDecision {
  const refuse = (reason: string): VectorDecision => ({ keep: false, model: null, reason });
  const widths = new Set(memories.flatMap((m) => (m.vector === null ? [] : [m.vector.length])));
  if (widths.size === 0) return refuse('the source holds no vectors for the imported memories');
  if (widths.size > 1)
    return refuse(`the source's vectors have different widths (${[...widths].join(', ')})`);
  const width = [...widths][0]!;
  const { sourceEmbedder: named, target, storeModel, storeWidth } = context;
  if (named === undefined || named.trim() === '') {
    return refuse(
      `mem0 does not record which model made them: pass --mem0-embedder <provider:model> (e.g. openai:text-embedding-3-small) to keep them when it is the configured embedder${target ? ` (${target.id})` : ''}`,
    );
  }
  const sameModel =
    target !== null && (named === target.id || named === target.id.slice(target.id.indexOf(':') + 1));
  const model = sameModel ? target.id : named;
  if (target !== null && !sameModel) {
    return refuse(`they were made by ${named}, not by the configured embedder ${target.id}`);
  }
  if (target?.dimensions !== undefined && target.dimensions !== width) {
    return refuse(`they have ${width} dimensions, the configured embedder ${target.id} ${target.dimensions}`);
  }
  if (storeModel !== null && storeModel !== model) {
    return refuse(`the store already holds vectors of ${storeModel}`);
  }
  if (storeWidth !== null && storeWidth !== width) {
    return refuse(`the store's vectors have ${storeWidth} dimensions, the source's ${width}`);
  }
  const whose =
    target === null
      ? `; no embedder is configured: configure ${model} to search with them`
      : `, the configured embedder`;
  return { keep: true, model, reason: `made by ${model} (${width} dimensions)${whose}` };
}

/** The bundle with the source's vector on its current version, when the decision keeps vectors. */
export function withVector(memory: BuiltMemory, model: string | null): MemoryBundle {
  if (model === null || memory.vector === null) return memory.bundle;
  const bundle = memory.bundle;
  return {
    ...bundle,
    versions: bundle.versions.map((v) =>
      v.version === bundle.version ? { ...v, embedding: memory.vector, embeddingModel: model } : v,
    ),
  };
}
