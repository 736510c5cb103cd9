import { loadConfig } from '../../config/load-config.js';
import { createEmbedder } from '../../providers/registry.js';
import type { Embedder } from '../../spec/embedder.js';

export type ResolvedEmbedder = { embedder: Embedder; reason: null } | { embedder: null; reason: string };

const PROBE_TIMEOUT_MS = 5000;

/**
 * The embedder the evaluation uses: the configured one (engram.config.json, ENGRAM_EMBEDDER, …),
 * if one probe call succeeds within a few seconds. Otherwise null and the reason, so vector modes
 * are reported as skipped instead of failing the run.
 */
export async function resolveEvalEmbedder(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedEmbedder> {
  let embedder: Embedder;
  try {
    const config = loadConfig(undefined, { env, cwd: process.cwd() });
    if (config.embedder === null) return { embedder: null, reason: 'no embedder is configured' };
    embedder = createEmbedder(config.embedder);
  } catch (error) {
    return { embedder: null, reason: `the embedder configuration is unusable: ${(error as Error).message}` };
  }
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const probe = await embedder.embed(['engram evaluation probe'], { signal: timeout });
    if (probe.embeddings.length !== 1) return { embedder: null, reason: `${embedder.id} returned no vector` };
    return { embedder, reason: null };
  } catch (error) {
    return { embedder: null, reason: `${embedder.id} is not reachable: ${(error as Error).message}` };
  }
}
