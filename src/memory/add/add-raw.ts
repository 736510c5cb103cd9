import { randomUUID } from 'node:crypto';
import type { MemoryType, Metadata } from '../../spec/memory-record.js';
import type { NewMemory } from '../../spec/store.js';
import { textHash } from '../../util/text-hash.js';
import type { AddResult, InputMessage } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { type ScopeIds, scopeKey } from '../resolve-scope.js';
import type { InstructionClass } from '../safety/detect-instructions.js';
import { markFor, withMark } from '../safety/safety-mark.js';

/** A validated `infer: false` add. */
export interface RawAddRequest {
  ids: ScopeIds;
  messages: InputMessage[];
  eventTime: string;
  metadata: Metadata;
  importance: number;
  memoryType: MemoryType;
  actorId: string | null;
  /** Per message, the instruction classes found in it (check-add.ts); each memory is marked with its own. */
  flags: InstructionClass[][];
}

/**
 * Stores each non-system message as a memory, as it is. The texts are embedded before anything
 * is written, so an unreachable embedder fails the add cleanly (nothing stored).
 */
export async function addRaw(ctx: MemoryContext, request: RawAddRequest): Promise<AddResult> {
  const { tenant, engine } = ctx;
  const { ids, messages, eventTime } = request;
  const { store, gate } = await ctx.open();
  return engine.locks.run(scopeKey(tenant, ids), async () => {
    const started = performance.now();
    // Each memory names the logged message it is (`source`), by a ref unique to this add.
    const addId = randomUUID();
    const toStore = messages
      .map((m, i) => ({ ...m, ref: `${addId}:${i}`, flags: request.flags[i] ?? [] }))
      .filter((m) => m.role !== 'system');
    const meter = { embedCalls: 0 };
    const vectors = await gate.embed(
      toStore.map((m) => m.content),
      { meter },
    );
    const embedMs = performance.now() - started;
    const at = engine.now();
    await store.appendMessages(
      { tenant, ...ids },
      messages.map((m, i) => ({
        role: m.role,
        name: m.name ?? null,
        content: m.content,
        eventTime,
        ref: `${addId}:${i}`,
      })),
      at,
    );
    const rows: NewMemory[] = toStore.map((m, i) => ({
      id: randomUUID(),
      ...ids,
      actorId: request.actorId ?? m.name ?? null,
      role: m.role,
      text: m.content.trim(),
      hash: textHash(m.content),
      metadata: withMark(request.metadata, markFor(m.flags, ctx.config.safety.instructions)),
      source: [m.ref],
      importance: request.importance,
      memoryType: request.memoryType,
      validFrom: eventTime,
      embedding: vectors?.[i] ?? null,
      embeddingModel: gate.model,
      at,
      actor: 'user',
    }));
    const outcomes = await store.insertMemories(tenant, rows);
    if (vectors) await gate.recordModel();
    const { embedCalls } = meter;
    await store.recordUsage(tenant, ids, { llmCalls: 0, inputTokens: 0, outputTokens: 0, embedCalls }, at);
    return {
      results: outcomes.map(({ record, inserted }) => ({
        id: record.id,
        memory: record.text,
        event: inserted ? ('ADD' as const) : ('NONE' as const),
        metadata: record.metadata,
      })),
      usage: {
        llmCalls: 0,
        inputTokens: 0,
        outputTokens: 0,
        embedCalls,
        ms: { embed: round(embedMs), total: round(performance.now() - started) },
      },
      status: 'done',
    };
  });
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
