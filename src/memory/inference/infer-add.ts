import { randomUUID } from 'node:crypto';
import type { ChatModel } from '../../spec/chat-model.js';
import type { MemoryRecord, MemoryType, Metadata } from '../../spec/memory-record.js';
import type { Change, Store } from '../../spec/store.js';
import { resolveRelativeDates } from '../../util/resolve-relative-dates.js';
import { textHash } from '../../util/text-hash.js';
import type { AddResultItem, InputMessage } from '../api-types.js';
import type { EmbeddingGate } from '../embedding-gate.js';
import type { ExtractedFact } from '../prompts/extract-facts.js';
import { extractFactsPrompt } from '../prompts/extract-facts.js';
import type { PromptDefinition } from '../prompts/prompt-definition.js';
import { reconcileMemoriesPrompt } from '../prompts/reconcile-memories.js';
import { singlePassPrompt } from '../prompts/single-pass.js';
import { summariseProcedurePrompt } from '../prompts/summarise-procedure.js';
import type { ScopeIds } from '../resolve-scope.js';
import { scopeFilter } from '../resolve-scope.js';
import { callStructured } from './structured-call.js';
import type { UsageMeter } from './usage-meter.js';

export interface InferContext {
  store: Store;
  gate: EmbeddingGate;
  chain: readonly ChatModel[];
  tenant: string;
  now: () => string;
  mode: 'two-pass' | 'single-pass';
  contextMessages: number;
  customInstructions?: string | undefined;
  /** Replacement system prompts (config extraction.prompts); the reply schemas stay engram's. */
  prompts?:
    | { extract?: string | undefined; reconcile?: string | undefined; singlePass?: string | undefined }
    | undefined;
}

/** The prompt with the user's system text, marked so usage and jobs show it was customised. */
function customised<I, O>(
  prompt: PromptDefinition<I, O>,
  system: string | undefined,
): PromptDefinition<I, O> {
  return system ? { ...prompt, id: `${prompt.id}+custom`, system } : prompt;
}

export interface InferRequest {
  ids: ScopeIds;
  messages: InputMessage[];
  eventTime: string;
  metadata: Metadata;
  memoryType: MemoryType;
  actorId?: string | null;
  /** The request's own messages are already the newest in the log (skip them when reading context). */
  logged: boolean;
}

/** Similarity above which a fact is the same as a stored memory, decided without asking the LLM. */
const NEAR_DUPLICATE = 0.97;
const CANDIDATES_PER_FACT = 5;
const MAX_CANDIDATES = 24;

interface Operation {
  event: 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';
  fact: number;
  id?: number | null | undefined;
  text?: string | null | undefined;
}

/**
 * The inferred add (ARCHITECTURE §4): context → extract → candidates → reconcile → apply.
 * Throws on LLM/embedder failure; the caller keeps the messages and leaves a job.
 */
export async function inferAdd(
  ctx: InferContext,
  request: InferRequest,
  meter: UsageMeter,
): Promise<AddResultItem[]> {
  if (request.memoryType === 'procedural') return addProcedure(ctx, request, meter);
  const context = await meter.stage('context', () => readContext(ctx, request));
  const turns = request.messages.filter((m) => m.role !== 'system');
  const promptTurns = turns.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content }));

  if (ctx.mode === 'single-pass') {
    const candidates = await meter.stage('candidates', () =>
      similarMemories(
        ctx,
        request,
        turns.map((t) => t.content),
        meter,
      ),
    );
    const reply = await meter.stage('llm', () =>
      callStructured(
        ctx.chain,
        customised(singlePassPrompt, ctx.prompts?.singlePass),
        {
          context,
          messages: promptTurns,
          observedAt: request.eventTime,
          customInstructions: ctx.customInstructions,
          memories: candidates.map((c) => ({ text: c.text, validFrom: c.validFrom })),
        },
        meter,
      ),
    );
    const facts = reply.facts.map((f) => withDates(f, request.eventTime));
    return apply(ctx, request, facts, candidates, reply.operations, meter);
  }

  const extracted = await meter.stage('extract', () =>
    callStructured(
      ctx.chain,
      customised(extractFactsPrompt, ctx.prompts?.extract),
      {
        context,
        messages: promptTurns,
        observedAt: request.eventTime,
        customInstructions: ctx.customInstructions,
      },
      meter,
    ),
  );
  const facts = extracted.facts.map((f) => withDates(f, request.eventTime));
  if (facts.length === 0) return [];

  // Facts already stored word for word, or nearly so, need no LLM decision.
  const { known, open, vectors } = await meter.stage('candidates', () =>
    screenFacts(ctx, request, facts, meter),
  );
  const results: AddResultItem[] = known.map((k) => ({ id: k.id, memory: k.text, event: 'NONE' as const }));
  if (open.length === 0) return results;
  const openFacts = open.map((i) => facts[i]!);
  const candidates = await meter.stage('candidates', () =>
    similarMemories(
      ctx,
      request,
      openFacts.map((f) => f.text),
      meter,
      open.map((i) => vectors?.[i] ?? null),
    ),
  );

  let operations: Operation[];
  if (candidates.length === 0) {
    operations = openFacts.map((_, fact) => ({ event: 'ADD', fact }));
  } else {
    const reply = await meter.stage('reconcile', () =>
      callStructured(
        ctx.chain,
        customised(reconcileMemoriesPrompt, ctx.prompts?.reconcile),
        {
          memories: candidates.map((c) => ({ text: c.text, validFrom: c.validFrom })),
          facts: openFacts,
          observedAt: request.eventTime,
        },
        meter,
      ),
    );
    operations = reply.operations;
  }
  const openVectors = open.map((i) => vectors?.[i] ?? null);
  return [...results, ...(await apply(ctx, request, openFacts, candidates, operations, meter, openVectors))];
}

async function readContext(ctx: InferContext, request: InferRequest) {
  if (ctx.contextMessages === 0) return [];
  const skip = request.logged ? request.messages.length : 0;
  const recent = await ctx.store.recentMessages(
    { tenant: ctx.tenant, ...request.ids },
    ctx.contextMessages + skip,
  );
  return recent
    .slice(0, recent.length - skip)
    .map((m) => ({ role: m.role, name: m.name, content: m.content }));
}

/** Adds the event date the text implies when the model left it out. */
function withDates(fact: ExtractedFact, spokenAt: string): ExtractedFact {
  if (fact.event_date) return fact;
  const found = resolveRelativeDates(fact.text, spokenAt).find((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.date));
  return found ? { ...fact, event_date: found.date } : fact;
}

async function screenFacts(
  ctx: InferContext,
  request: InferRequest,
  facts: ExtractedFact[],
  meter: UsageMeter,
) {
  const filter = scopeFilter(request.ids)!;
  const known: MemoryRecord[] = [];
  const open: number[] = [];
  const before = ctx.gate.calls;
  const vectors = await ctx.gate.embed(facts.map((f) => f.text));
  meter.embedCalls += ctx.gate.calls - before;
  for (const [i, fact] of facts.entries()) {
    const exact = await ctx.store.findByHash(ctx.tenant, filter, textHash(fact.text));
    if (exact) {
      known.push(exact);
      continue;
    }
    const vector = vectors?.[i];
    if (vector) {
      const [nearest] = await ctx.store.vectorSearch(ctx.tenant, vector, { filter, limit: 1 });
      if (nearest && 1 - nearest.raw >= NEAR_DUPLICATE) {
        const record = await ctx.store.getMemory(ctx.tenant, nearest.id);
        if (record) {
          known.push(record);
          continue;
        }
      }
    }
    open.push(i);
  }
  return { known, open, vectors };
}

/** Active memories of the scope close to any of the texts, by vector and by keyword, de-duplicated. */
async function similarMemories(
  ctx: InferContext,
  request: InferRequest,
  texts: string[],
  meter: UsageMeter,
  known?: (Float32Array | null)[],
): Promise<MemoryRecord[]> {
  const filter = scopeFilter(request.ids)!;
  let vectors = known;
  if (!vectors) {
    const before = ctx.gate.calls;
    vectors = (await ctx.gate.embed(texts)) ?? texts.map(() => null);
    meter.embedCalls += ctx.gate.calls - before;
  }
  const ids: string[] = [];
  for (const [i, text] of texts.entries()) {
    const vector = vectors[i];
    const hits = [
      ...(vector
        ? await ctx.store.vectorSearch(ctx.tenant, vector, { filter, limit: CANDIDATES_PER_FACT })
        : []),
      ...(await ctx.store.textSearch(ctx.tenant, text, { filter, limit: 3 })),
    ];
    for (const hit of hits) if (!ids.includes(hit.id)) ids.push(hit.id);
  }
  const records = await ctx.store.getMemories(ctx.tenant, ids.slice(0, MAX_CANDIDATES));
  const order = new Map(ids.map((id, i) => [id, i]));
  return records.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Maps the model's integer ids back to memories and applies every operation in one transaction. */
async function apply(
  ctx: InferContext,
  request: InferRequest,
  facts: ExtractedFact[],
  candidates: MemoryRecord[],
  operations: Operation[],
  meter: UsageMeter,
  factVectors?: (Float32Array | null)[],
): Promise<AddResultItem[]> {
  const at = ctx.now();
  const results: AddResultItem[] = [];
  // Texts that need a vector of their own (merged UPDATE texts, ADDs reworded by the model).
  const toEmbed: string[] = [];
  const textFor = (op: Operation) => (op.text?.trim() || facts[op.fact]?.text || '').trim();
  for (const op of operations) {
    if (op.event !== 'ADD' && op.event !== 'UPDATE') continue;
    const text = textFor(op);
    const reuse = text === facts[op.fact]?.text && factVectors?.[op.fact];
    if (!reuse && !toEmbed.includes(text)) toEmbed.push(text);
  }
  const before = ctx.gate.calls;
  const embedded = await meter.stage('embed', async () =>
    toEmbed.length > 0 ? await ctx.gate.embed(toEmbed) : null,
  );
  meter.embedCalls += ctx.gate.calls - before;
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
    const target = op.id === undefined || op.id === null ? null : candidates[op.id]!;
    if (op.event === 'NONE') {
      if (target) results.push({ id: target.id, memory: target.text, event: 'NONE' });
      continue;
    }
    const metadata: Metadata = {
      ...request.metadata,
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
          actorId: request.actorId ?? null,
          text,
          hash: textHash(text),
          metadata,
          categories: [fact.category],
          importance: fact.importance,
          memoryType: request.memoryType,
          validFrom: request.eventTime,
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
          metadata: { ...target.metadata, ...metadata },
          importance: Math.max(target.importance, fact.importance),
          embedding: vectorOf(op, text),
          embeddingModel: ctx.gate.model,
          validFrom: request.eventTime,
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
        validTo: request.eventTime,
        supersededBy: replacement === undefined ? null : { change: replacement },
        at,
        actor: 'llm',
        reason: `contradicted by: ${fact.text}`,
      });
    }
  }
  const outcomes = await meter.stage('apply', () => ctx.store.applyChanges(ctx.tenant, changes));
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

async function addProcedure(
  ctx: InferContext,
  request: InferRequest,
  meter: UsageMeter,
): Promise<AddResultItem[]> {
  const reply = await meter.stage('extract', () =>
    callStructured(
      ctx.chain,
      summariseProcedurePrompt,
      { messages: request.messages.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content })) },
      meter,
    ),
  );
  const text = reply.summary.trim();
  const before = ctx.gate.calls;
  const vectors = await meter.stage('embed', () => ctx.gate.embed([text]));
  meter.embedCalls += ctx.gate.calls - before;
  const [outcome] = await meter.stage('apply', () =>
    ctx.store.applyChanges(ctx.tenant, [
      {
        kind: 'insert',
        memory: {
          id: randomUUID(),
          ...request.ids,
          actorId: request.actorId ?? null,
          text,
          hash: textHash(text),
          metadata: request.metadata,
          categories: ['procedure'],
          importance: 0.8,
          memoryType: 'procedural',
          validFrom: request.eventTime,
          embedding: vectors?.[0] ?? null,
          embeddingModel: ctx.gate.model,
          at: ctx.now(),
          actor: 'llm',
        },
      },
    ]),
  );
  if (vectors) await ctx.gate.recordModel();
  return [{ id: outcome!.record.id, memory: text, event: outcome!.inserted ? 'ADD' : 'NONE' }];
}
