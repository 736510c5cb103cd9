import { randomUUID } from 'node:crypto';
import { checkAdd } from '../add/check-add.js';
import type { AddOptions, InputMessage } from '../api-types.js';
import type { InferRequest } from '../inference/infer-add.js';
import type { MemoryContext } from '../memory-context.js';
import { type ScopeIds, scopeKey } from '../resolve-scope.js';
import { INFER_JOB, JOB_MAX_ATTEMPTS, toPayload } from './job-payload.js';

/**
 * Checks a queued add like add() does (it is always inferred; procedural needs an agent) and
 * commits it to the job table for a worker; the engine must have an LLM.
 */
export async function enqueueCheckedAdd(
  ctx: MemoryContext,
  input: string | InputMessage[],
  options: AddOptions,
  idempotencyKey: string | null,
): Promise<{ job_id: string; status: 'pending'; created: boolean }> {
  const {
    infer: _infer,
    importance,
    // Queued facts are judged on their own text when the job runs; the messages are screened already.
    flags: _flags,
    ...checked
  } = checkAdd(input, { ...options, infer: true }, ctx.config, () => ctx.engine.now());
  ctx.engine.requireLlm();
  return enqueueAdd(ctx, { ...checked, importance: importance ?? null, logged: false }, idempotencyKey);
}

/**
 * Commits a validated inferred add to the job table for a worker to run; idempotent on
 * `idempotencyKey` within the add's scope (a repeat returns the first job with `created: false`).
 */
export async function enqueueAdd(
  ctx: MemoryContext,
  request: InferRequest,
  idempotencyKey: string | null,
): Promise<{ job_id: string; status: 'pending'; created: boolean }> {
  const { store } = await ctx.open();
  const now = ctx.engine.now();
  const { job, created } = await store.enqueueJob(
    ctx.tenant,
    {
      id: randomUUID(),
      kind: INFER_JOB,
      payload: toPayload(request),
      maxAttempts: JOB_MAX_ATTEMPTS,
      runAt: now,
      idempotencyKey: idempotencyKey === null ? null : scopedIdempotencyKey(request.ids, idempotencyKey),
    },
    now,
  );
  return { job_id: job.id, status: 'pending', created };
}

/**
 * Idempotency keys are per scope, so one scope's key never answers with another scope's job (a
 * key pinned to one user could otherwise learn another user's job id). The store's unique index
 * is on (tenant, key), so the scope goes into the stored key rather than into a new column.
 */
export function scopedIdempotencyKey(ids: ScopeIds, key: string): string {
  return `${scopeKey('', ids)}\u001f${key}`;
}
