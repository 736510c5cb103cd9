import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import type { InferRequest } from '../inference/infer-add.js';
import type { ScopeIds } from '../resolve-scope.js';

/** The kind of job an inferred add leaves (queued, or after an upstream failure). */
export const INFER_JOB = 'infer';
export const JOB_MAX_ATTEMPTS = 5;

/** An inferred add as stored in the job table (versioned, so a later engram can read it). */
export function toPayload(request: InferRequest): JsonValue {
  return { v: 1, ...request } as unknown as JsonValue;
}

export function fromPayload(payload: JsonValue): InferRequest {
  const p = payload as unknown as InferRequest & { v?: number };
  if (typeof p !== 'object' || p === null || !Array.isArray(p.messages) || typeof p.eventTime !== 'string') {
    throw new MemoryError('store_error', 'A queued job has a payload this version of engram cannot read.');
  }
  return {
    ids: p.ids,
    messages: p.messages,
    eventTime: p.eventTime,
    metadata: p.metadata ?? {},
    memoryType: p.memoryType ?? 'semantic',
    actorId: p.actorId ?? null,
    importance: typeof p.importance === 'number' ? p.importance : null,
    logged: p.logged === true,
    ...(typeof p.customInstructions === 'string' ? { customInstructions: p.customInstructions } : {}),
  };
}

/**
 * The scope a job writes to, read leniently (a listing must not fail on one odd payload): null
 * when the payload names none, which only a pinned key's check cares about (it then hides the job).
 */
export function payloadScope(payload: JsonValue): ScopeIds | null {
  const ids = (payload as { ids?: unknown } | null)?.ids;
  if (typeof ids !== 'object' || ids === null) return null;
  const read = (field: string): string | null => {
    const value = Object.hasOwn(ids, field) ? (ids as Record<string, unknown>)[field] : null;
    return typeof value === 'string' ? value : null;
  };
  return { userId: read('userId'), agentId: read('agentId'), runId: read('runId') };
}
