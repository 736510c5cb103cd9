import type { MemoryRef } from '../../spec/graph.js';
import type { MemoryRecord } from '../../spec/memory-record.js';
import { resolveRelativeDates } from '../../util/resolve-relative-dates.js';
import type { AddRelationItem, AddResultItem } from '../api-types.js';
import { type GraphPlan, type GraphTurns, knownEntityNames, planGraph } from '../graph/extract-graph.js';
import type { ExtractedFact } from '../prompts/extract-facts.js';
import { extractFactsPrompt } from '../prompts/extract-facts.js';
import { GRAPH_RULES, type GraphReply, knownEntities } from '../prompts/extract-graph.js';
import type { PromptDefinition } from '../prompts/prompt-definition.js';
import { reconcileMemoriesPrompt } from '../prompts/reconcile-memories.js';
import { singlePassPrompt } from '../prompts/single-pass.js';
import { singlePassGraphPrompt } from '../prompts/single-pass-graph.js';
import { scopeFilter } from '../resolve-scope.js';
import { attributeRole } from '../safety/attribute-role.js';
import { detectInstructions, type InstructionClass } from '../safety/detect-instructions.js';
import { withoutQuarantined } from '../safety/safety-mark.js';
import { screenText } from '../safety/screen-text.js';
import { addProcedure } from './add-procedure.js';
import { applyOperations } from './apply-operations.js';
import { findKnownFact } from './find-known-fact.js';
import type { InferContext, InferRequest, MessageOrigin, Operation } from './infer-types.js';
import { type OriginGroup, originGroups, originOfFact } from './message-origins.js';
import { callStructured } from './structured-call.js';
import type { UsageMeter } from './usage-meter.js';

export type { InferContext, InferRequest } from './infer-types.js';

/** The prompt with the user's system text, marked so usage and jobs show it was customised. */
function customised<I, O>(
  prompt: PromptDefinition<I, O>,
  system: string | undefined,
): PromptDefinition<I, O> {
  return system ? { ...prompt, id: `${prompt.id}+custom`, system } : prompt;
}

const CANDIDATES_PER_FACT = 5;
const MAX_CANDIDATES = 24;

/**
 * The inferred add (ARCHITECTURE §4): context → extract → candidates → reconcile → apply.
 * Throws on LLM/embedder failure; the caller keeps the messages and leaves a job.
 */
export async function inferAdd(
  ctx: InferContext,
  request: InferRequest,
  meter: UsageMeter,
): Promise<InferOutcome> {
  if (request.memoryType === 'procedural') return { results: await addProcedure(ctx, request, meter) };
  const context = await meter.stage('context', () => readContext(ctx, request));
  const { turns, groups } = originGroups(request);
  const promptTurns = turns.map((m) => ({ role: m.role, name: m.name ?? null, content: m.content }));
  // One group: the prompt as for a single add. Several (a batch of queued adds): numbered groups,
  // each with its own date, and every fact says which group it comes from.
  const promptGroups =
    groups.length > 1 ? groups.map((g) => ({ count: g.count, sentAt: g.origin.eventTime })) : undefined;

  if (ctx.mode === 'single-pass') {
    const candidates = await meter.stage('candidates', () =>
      similarMemories(
        ctx,
        request,
        turns.map((t) => t.content),
        meter,
      ),
    );
    const input = {
      context,
      messages: promptTurns,
      observedAt: request.eventTime,
      groups: promptGroups,
      customInstructions: instructionsFor(ctx, request),
      memories: candidates.map((c) => ({ text: c.text, validFrom: c.validFrom })),
    };
    let reply: { facts: ExtractedFact[]; operations: Operation[] };
    let graphReply: GraphReply | undefined;
    if (ctx.graph) {
      // The graph rides in the same call: the conversation is sent once (docs/graph.md).
      const graph = ctx.graph;
      const known = await knownEntityNames(
        graph.store,
        ctx.tenant,
        request.ids,
        promptTurns.map((t) => t.content),
      );
      const combinedInput = {
        ...input,
        known,
        maxEntities: graph.settings.maxEntities,
        maxRelations: graph.settings.maxRelations,
      };
      const prompt = customised(singlePassGraphPrompt, ctx.prompts?.singlePass);
      const before = { input: meter.inputTokens, output: meter.outputTokens };
      const combined = await meter.stage('llm', () =>
        callStructured(ctx.chain, prompt, combinedInput, meter),
      );
      reply = combined;
      graphReply = { entities: combined.entities, relations: combined.relations };
      // The graph's share of the one call, estimated from the call's own token counts in proportion
      // to characters: its instructions and entity list of the prompt, its part of the reply.
      const promptChars = prompt.system.length + prompt.user(combinedInput).length;
      const graphPromptChars = GRAPH_RULES.join('\n').length + knownEntities(known).join('').length;
      const replyChars = JSON.stringify(combined).length;
      meter
        .part('graph')
        .attribute(
          Math.round(((meter.inputTokens - before.input) * graphPromptChars) / Math.max(1, promptChars)),
          Math.round(
            ((meter.outputTokens - before.output) * JSON.stringify(graphReply).length) /
              Math.max(1, replyChars),
          ),
        );
    } else {
      reply = await meter.stage('llm', () =>
        callStructured(ctx.chain, customised(singlePassPrompt, ctx.prompts?.singlePass), input, meter),
      );
    }
    const placed = placeFacts(ctx, reply.facts, groups, turns);
    const { facts } = placed;
    const plan = await graphPlan(ctx, request, { context, messages: promptTurns }, facts, meter, graphReply);
    const results = await applyOperations(
      ctx,
      request,
      placed,
      candidates,
      reply.operations,
      meter,
      undefined,
      plan?.write,
    );
    return { results, relations: plan?.relations };
  }

  const extracted = await meter.stage('extract', () =>
    callStructured(
      ctx.chain,
      customised(extractFactsPrompt, ctx.prompts?.extract),
      {
        context,
        messages: promptTurns,
        observedAt: request.eventTime,
        groups: promptGroups,
        customInstructions: instructionsFor(ctx, request),
      },
      meter,
    ),
  );
  const { facts, origins, flags, roles } = placeFacts(ctx, extracted.facts, groups, turns);
  if (facts.length === 0) return { results: [] };
  const plan = await graphPlan(ctx, request, { context, messages: promptTurns }, facts, meter);

  // Facts already stored word for word, or nearly so, need no LLM decision.
  const { known, open, vectors } = await meter.stage('candidates', () =>
    screenFacts(ctx, request, facts, meter),
  );
  const results: AddResultItem[] = [...known.values()].map((k) => ({
    id: k.id,
    memory: k.text,
    event: 'NONE' as const,
  }));
  // A relation stating a known fact points at the memory that already holds it.
  const graphWrite = plan
    ? (memoryOfOpenFact: (fact: number) => MemoryRef | null) =>
        plan.write((fact) => {
          const stored = known.get(fact);
          if (stored) return stored.id;
          const i = open.indexOf(fact);
          return i < 0 ? null : memoryOfOpenFact(i);
        })
    : undefined;
  if (open.length === 0) {
    if (graphWrite) {
      await meter.stage('apply', () =>
        ctx.store.applyChanges(
          ctx.tenant,
          [],
          undefined,
          graphWrite(() => null),
        ),
      );
    }
    return { results, relations: plan?.relations };
  }
  const openFacts = open.map((i) => facts[i]!);
  const openOrigins = open.map((i) => origins[i]!);
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
  const applied = await applyOperations(
    ctx,
    request,
    {
      facts: openFacts,
      origins: openOrigins,
      flags: open.map((i) => flags[i]!),
      roles: open.map((i) => roles[i]!),
    },
    candidates,
    operations,
    meter,
    openVectors,
    graphWrite,
  );
  return { results: [...results, ...applied], relations: plan?.relations };
}

export interface InferOutcome {
  results: AddResultItem[];
  /** With the graph step: the relations the add recorded. */
  relations?: AddRelationItem[] | undefined;
}

/** The graph step when it is on (config graph.enabled), after the facts are known. */
async function graphPlan(
  ctx: InferContext,
  request: InferRequest,
  turns: GraphTurns,
  facts: ExtractedFact[],
  meter: UsageMeter,
  given?: GraphReply,
): Promise<GraphPlan | null> {
  if (!ctx.graph) return null;
  return planGraph(
    ctx,
    ctx.graph,
    request,
    turns,
    facts.map((f) => f.text),
    meter,
    given,
  );
}

/**
 * The messages logged before the request's own (`contextBefore`), so a job run late or retried
 * reads the conversation as it stood when its messages came, not what was said after them.
 */
async function readContext(ctx: InferContext, request: InferRequest) {
  if (ctx.contextMessages === 0) return [];
  const scope = { tenant: ctx.tenant, ...request.ids };
  let recent: { role: string; name: string | null; content: string }[];
  if (request.contextBefore) {
    recent = await ctx.store.recentMessages(scope, ctx.contextMessages, {
      beforeRefs: request.contextBefore,
    });
  } else {
    const skip = request.logged ? request.messages.length : 0;
    const newest = await ctx.store.recentMessages(scope, ctx.contextMessages + skip);
    recent = newest.slice(0, newest.length - skip);
  }
  // Under quarantine, earlier messages that read as instructions are not shown to the model again.
  const shown =
    ctx.safety.instructions === 'quarantine'
      ? recent.filter((m) => detectInstructions(m.content).length === 0)
      : recent;
  return shown.map((m) => ({ role: m.role, name: m.name, content: m.content }));
}

/**
 * Each fact with the add it comes from (its group's, or the request's own), its relative dates
 * resolved against that add's time and the caller's importance, when given, in place of the model's.
 * Its text is screened (secrets redacted, hidden characters removed, instruction classes found:
 * `flags`) before it is embedded or stored, and `roles` says whose turns it was drawn from.
 */
function placeFacts(
  ctx: InferContext,
  extracted: ExtractedFact[],
  groups: OriginGroup[],
  turns: { role: string; content: string }[],
): PlacedFacts {
  const origins = extracted.map((f) => originOfFact(f, groups));
  const screened = extracted.map((f) => screenText(f.text, ctx.safety));
  const facts = extracted.map((f, i) => {
    const origin = origins[i]!;
    const dated = withDates({ ...f, text: screened[i]!.text }, origin.eventTime);
    return origin.importance === null ? dated : { ...dated, importance: origin.importance };
  });
  const roles = facts.map((f) => attributeRole(f.text, turns));
  return { facts, origins, flags: screened.map((s) => s.flags), roles };
}

/** Facts ready to apply, with what each one's text was found to hold and whose turns it came from. */
export interface PlacedFacts {
  facts: ExtractedFact[];
  origins: MessageOrigin[];
  flags: InstructionClass[][];
  roles: string[];
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
  /** Fact index → the memory that already holds it. */
  const known = new Map<number, MemoryRecord>();
  const open: number[] = [];
  const vectors = await ctx.gate.embed(
    facts.map((f) => f.text),
    { meter },
  );
  for (const [i, fact] of facts.entries()) {
    const record = await findKnownFact(ctx.store, ctx.tenant, filter, fact.text, vectors?.[i]);
    if (record) known.set(i, record);
    else open.push(i);
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
  // Quarantined memories are never shown to the model as candidates (their text is the danger).
  const filter = withoutQuarantined(scopeFilter(request.ids))!;
  let vectors = known;
  if (!vectors) {
    vectors = (await ctx.gate.embed(texts, { meter })) ?? texts.map(() => null);
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

/** The configured extra instructions, then the add's own. */
function instructionsFor(ctx: InferContext, request: InferRequest): string | undefined {
  const parts = [ctx.customInstructions, request.customInstructions].filter((x): x is string => !!x);
  return parts.length === 0 ? undefined : parts.join('\n\n');
}
