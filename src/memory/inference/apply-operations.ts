import { randomUUID } from 'node:crypto';
import type { GraphWrite, MemoryRef } from '../../spec/graph.js';
import type { MemoryRecord, Metadata } from '../../spec/memory-record.js';
import type { Change } from '../../spec/store.js';
import { textHash } from '../../util/text-hash.js';
import type { AddResultItem } from '../api-types.js';
import { markFor, withMark } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import type { PlacedFacts } from './infer-add.js';
import type { InferContext, InferRequest, Operation } from './infer-types.js';
import type { UsageMeter } from './usage-meter.js';

/**
 * Maps the model's integer ids back to memories and applies every operation in one transaction.
 * Each fact is written as of the add it comes from (`origins`, one per fact): its event time,
 * actor and metadata.
 */
export async function applyOperations(
  ctx: InferContext,
  request: InferRequest,
  { facts, origins, flags, roles }: PlacedFacts,
  candidates: MemoryRecord[],
  operations: Operation[],
  meter: UsageMeter,
  factVectors?: (Float32Array | null)[],
  graph?: (memoryOfFact: (fact: number) => MemoryRef | null) => GraphWrite,
): Promise<AddResultItem[]> {
  const at = ctx.now();
  const results: AddResultItem[] = [];
  // Texts that need a vector of their own (merged UPDATE texts, ADDs reworded by the model).
  const toEmbed: string[] = [];
  // A text the model rewrote (op.text) is screened like the facts were (infer-add.ts placeFacts).
  const screenedOf = (op: Operation) => {
    const own = facts[op.fact]?.text ?? '';
    const rewritten = op.text?.trim();
    if (!rewritten || rewritten === own) return { text: own.trim(), flags: flags[op.fact] ?? [] };
    const screened = screenText(rewritten, ctx.safety);
    return {
      text: screened.text.trim(),
      flags: [...new Set([...screened.flags, ...(flags[op.fact] ?? [])])].sort(),
    };
  };
  const textFor = (op: Operation) => screenedOf(op).text;
  // The mark of what an ADD or UPDATE writes (config safety.instructions), replacing any mark before.
  const markOf = (op: Operation) => markFor(screenedOf(op).flags, ctx.safety.instructions);
  for (const op of operations) {
    if (op.event !== 'ADD' && op.event !== 'UPDATE') continue;
    const text = textFor(op);
    const reuse = text === facts[op.fact]?.text && factVectors?.[op.fact];
    if (!reuse && !toEmbed.includes(text)) toEmbed.push(text);
  }
  const embedded = await meter.stage('embed', async () =>
    toEmbed.length > 0 ? await ctx.gate.embed(toEmbed, { meter }) : null,
  );
  const vectorOf = (op: Operation, text: string): Float32Array | null => {
    const i = toEmbed.indexOf(text);
    if (i >= 0) return embedded?.[i] ?? null;
    return factVectors?.[op.fact] ?? null;
  };

  const changes: Change[] = [];
  const changeOfFact = new Map<number, number>();
  const ordered = [...operations].sort((a, b) => rank(a.event) - rank(b.event));
  for (const op of ordered) {
    const fact = facts[op.fact]!;
    const origin = origins[op.fact]!;
    const target = op.id === undefined || op.id === null ? null : candidates[op.id]!;
    if (op.event === 'NONE') {
      if (target) results.push({ id: target.id, memory: target.text, event: 'NONE' });
      continue;
    }
    const metadata: Metadata = {
      ...origin.metadata,
      ...(fact.event_date ? { event_date: fact.event_date } : {}),
    };
    if (op.event === 'ADD') {
      const text = textFor(op);
      changeOfFact.set(op.fact, changes.length);
      changes.push({
        kind: 'insert',
        memory: {
          id: randomUUID(),
          ...request.ids,
          actorId: origin.actorId,
          role: roles[op.fact] ?? null,
          text,
          hash: textHash(text),
          metadata: withMark(metadata, markOf(op)),
          ...(request.refs ? { source: request.refs } : {}),
          categories: [fact.category],
          importance: fact.importance,
          memoryType: request.memoryType,
          validFrom: origin.eventTime,
          embedding: vectorOf(op, text),
          embeddingModel: ctx.gate.model,
          at,
          actor: 'llm',
          reason: `fact: ${fact.text}`,
        },
      });
    } else if (op.event === 'UPDATE' && target) {
      const text = textFor(op);
      changeOfFact.set(op.fact, changes.length);
      changes.push({
        kind: 'update',
        id: target.id,
        patch: {
          text,
          hash: textHash(text),
          metadata: withMark({ ...target.metadata, ...metadata }, markOf(op)),
          importance: Math.max(target.importance, fact.importance),
          embedding: vectorOf(op, text),
          embeddingModel: ctx.gate.model,
          validFrom: origin.eventTime,
          // Conversations may be replayed out of order; a collision with another memory folds it in.
          backdate: 'clamp',
          onDuplicate: 'fold',
          at,
          actor: 'llm',
          reason: `fact: ${fact.text}`,
        },
      });
    } else if (op.event === 'DELETE' && target) {
      const replacement = changeOfFact.get(op.fact);
      changes.push({
        kind: 'invalidate',
        id: target.id,
        validTo: origin.eventTime,
        supersededBy: replacement === undefined ? null : { change: replacement },
        at,
        actor: 'llm',
        reason: `contradicted by: ${fact.text}`,
      });
    }
  }
  // A relation names the memory of the fact it states: the change that writes it, or the memory
  // the model found already holds it.
  const noneTarget = new Map<number, string>();
  for (const op of operations) {
    if (op.event === 'NONE' && op.id !== undefined && op.id !== null && candidates[op.id]) {
      noneTarget.set(op.fact, candidates[op.id]!.id);
    }
  }
  const graphWrite = graph?.((fact) => {
    const change = changeOfFact.get(fact);
    return change !== undefined ? { change } : (noneTarget.get(fact) ?? null);
  });
  const outcomes = await meter.stage('apply', () =>
    ctx.store.applyChanges(ctx.tenant, changes, undefined, graphWrite),
  );
  if (outcomes.some((o) => o.record.embeddingModel)) await ctx.gate.recordModel();
  for (const outcome of outcomes) {
    if (outcome.kind === 'insert') {
      results.push({
        id: outcome.record.id,
        memory: outcome.record.text,
        event: outcome.inserted ? 'ADD' : 'NONE',
      });
    } else if (outcome.kind === 'update') {
      results.push({
        id: outcome.record.id,
        memory: outcome.record.text,
        event: 'UPDATE',
        previous_memory: outcome.previousText ?? undefined,
      });
      if (outcome.folded)
        results.push({ id: outcome.folded.id, memory: outcome.folded.text, event: 'DELETE' });
    } else {
      results.push({ id: outcome.record.id, memory: outcome.record.text, event: 'DELETE' });
    }
  }
  return results;
}

/** ADD and UPDATE first, so a DELETE can point at the memory that replaces the one it retires. */
function rank(event: Operation['event']): number {
  return event === 'ADD' || event === 'UPDATE' ? 0 : event === 'DELETE' ? 1 : 2;
}
