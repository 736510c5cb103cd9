import type { AddResult } from '../memory/api-types.js';
import { type ErrorCode, MemoryError } from '../spec/memory-error.js';
import type { AddMemoryItem, AddMemoryResult } from './mem0-types.js';

/**
 * An engram add result in mem0's shape: `{results: [{id, memory, metadata: {event}}]}`, with
 * `previousMemory` on an UPDATE. An inference that failed leaves the messages logged and a job
 * to retry; mem0 throws when its LLM fails, so the façade throws too, naming that job.
 */
export function toAddResult(result: AddResult): AddMemoryResult {
  if (result.status === 'pending' || (result.errors?.length ?? 0) > 0) {
    const first = result.errors?.[0];
    const job = result.job_id
      ? ` Job ${result.job_id} holds the add: memory.engram.retryJobs('${result.job_id}') runs it again.`
      : '';
    throw new MemoryError(
      upstreamCode(first?.code),
      `Extracting memories failed: ${first?.message ?? 'the add is pending'}. The messages are stored.${job}`,
      { details: { job_id: result.job_id ?? null, errors: result.errors ?? [] } },
    );
  }
  return {
    results: result.results.map((item): AddMemoryItem => {
      const metadata: AddMemoryItem['metadata'] = { event: item.event };
      if (item.event === 'UPDATE' && item.previous_memory !== undefined) {
        metadata.previousMemory = item.previous_memory;
      }
      return { id: item.id, memory: item.memory, metadata };
    }),
  };
}

const UPSTREAM_CODES: readonly ErrorCode[] = [
  'llm_unreachable',
  'llm_error',
  'llm_invalid_output',
  'embedder_unreachable',
  'embedder_error',
];

/** The failed job's code when it is an upstream one, else llm_error. */
function upstreamCode(code: string | undefined): ErrorCode {
  return UPSTREAM_CODES.find((known) => known === code) ?? 'llm_error';
}
