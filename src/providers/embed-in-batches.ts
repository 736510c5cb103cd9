import type { EmbedResult } from '../spec/embedder.js';

/**
 * Splits `texts` into requests of at most `batchSize`, runs them in order and concatenates the vectors.
 * Input tokens are summed only when every batch reported them, so a partial count is never passed off as total.
 */
export async function embedInBatches(
  texts: readonly string[],
  batchSize: number,
  embedBatch: (batch: string[]) => Promise<EmbedResult>,
): Promise<EmbedResult> {
  const embeddings: number[][] = [];
  let inputTokens: number | undefined = 0;
  for (let start = 0; start < texts.length; start += batchSize) {
    const batch = texts.slice(start, start + batchSize);
    const result = await embedBatch(batch);
    embeddings.push(...result.embeddings);
    inputTokens =
      inputTokens === undefined || result.inputTokens === undefined
        ? undefined
        : inputTokens + result.inputTokens;
  }
  return inputTokens === undefined || texts.length === 0 ? { embeddings } : { embeddings, inputTokens };
}
