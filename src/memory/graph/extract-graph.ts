import { randomUUID } from 'node:crypto';
import type { GraphConfig } from '../../config/engram-config.js';
import type { GraphScope, GraphStore, GraphWrite, MemoryRef, RelationWrite } from '../../spec/graph.js';
import { entityKey } from '../../util/entity-key.js';
import type { AddRelationItem } from '../api-types.js';
import type { InferContext, InferRequest } from '../inference/infer-types.js';
import { callStructured } from '../inference/structured-call.js';
import type { UsageMeter } from '../inference/usage-meter.js';
import type { PromptTurn } from '../prompts/extract-facts.js';
import { extractGraphPrompt, type GraphReply } from '../prompts/extract-graph.js';
import { queryKeys } from './graph-search.js';
import { type ExtractedEntity, resolveEntities } from './resolve-entities.js';

/** Relationships that hold one destination at a time even when the model does not say so. */
const EXCLUSIVE = new Set([
  'lives_in',
  'lives_at',
  'works_at',
  'works_for',
  'married_to',
  'located_in',
  'based_in',
  'employed_by',
  'job_title',
  'age',
]);

export interface GraphPlan {
  /** The graph write, once the facts' memories are known (their change index or id). */
  write(memoryOfFact: (fact: number) => MemoryRef | null): GraphWrite;
  /** The relations this add states, for the add's result (mem0's `relations`). */
  relations: AddRelationItem[];
}

export interface GraphTurns {
  context: PromptTurn[];
  messages: PromptTurn[];
}

/**
 * The graph step of an inferred add: one structured call for the entities and relations of the
 * new messages (the facts already extracted are listed so each relation names its fact), entity
 * resolution, and the relations' world intervals — a new exclusive relation closes the open one
 * it contradicts at its own valid_from. Returns a plan the apply step turns into a GraphWrite in
 * the memories' transaction. Its LLM and embedding calls are metered under `graph`.
 */
export async function planGraph(
  ctx: InferContext,
  step: { store: GraphStore; settings: GraphConfig },
  request: InferRequest,
  turns: GraphTurns,
  facts: string[],
  meter: UsageMeter,
  /** The entities and relations when the extraction call already returned them (single pass). */
  given?: GraphReply,
): Promise<GraphPlan | null> {
  const part = meter.part('graph');
  const scope: GraphScope = request.ids;
  const selfName = request.ids.userId ?? request.ids.agentId ?? request.ids.runId ?? 'user';
  const reply: GraphReply =
    given ??
    (await meter.stage('graph', async () =>
      callStructured(
        ctx.chain,
        extractGraphPrompt,
        {
          context: turns.context,
          messages: turns.messages,
          observedAt: request.eventTime,
          facts,
          known: await knownEntityNames(
            step.store,
            ctx.tenant,
            scope,
            turns.messages.map((m) => m.content),
          ),
          maxEntities: step.settings.maxEntities,
          maxRelations: step.settings.maxRelations,
        },
        part,
      ),
    ));
  if (reply.entities.length === 0 && reply.relations.length === 0) return null;

  // Names a relation uses without listing them as entities still become entities.
  const listed = new Set(reply.entities.map((e) => entityKey(e.name)));
  const extra: ExtractedEntity[] = [];
  for (const r of reply.relations) {
    for (const name of [r.source, r.destination]) {
      const key = entityKey(name);
      if (key !== '' && !listed.has(key)) {
        listed.add(key);
        extra.push({ name, type: 'other', summary: null, aliases: [] });
      }
    }
  }
  const resolution = await meter.stage('graph', () =>
    resolveEntities(
      {
        graph: step.store,
        gate: ctx.gate,
        chain: ctx.chain,
        tenant: ctx.tenant,
        scope,
        settings: step.settings,
        meter: part,
      },
      [...reply.entities, ...extra],
      selfName,
    ),
  );
  const idOf = (name: string) => resolution.idOf.get(entityKey(name));
  const nameOf = (id: string) => resolution.nameOf.get(id) ?? id;

  const sources = [...new Set(reply.relations.map((r) => idOf(r.source)).filter((id) => id !== undefined))];
  const open =
    sources.length === 0
      ? []
      : await step.store.relations(ctx.tenant, scope, { entityIds: sources, limit: 1000 });
  const at = request.eventTime;
  const relations: (Omit<RelationWrite, 'memory'> & { fact_index: number | null })[] = [];
  const closes = new Map<string, string>();
  const seen = new Set<string>();
  for (const r of reply.relations) {
    const sourceId = idOf(r.source);
    const destinationId = idOf(r.destination);
    if (!sourceId || !destinationId) continue;
    const relationship = normaliseRelationship(r.relationship);
    const triple = `${sourceId}|${relationship}|${destinationId}`;
    if (seen.has(triple)) continue;
    seen.add(triple);
    const same = open.filter((o) => o.source.id === sourceId && o.relationship === relationship);
    // Already known and still open: nothing new to record.
    if (same.some((o) => o.destination.id === destinationId && o.validTo === null)) continue;
    const validFrom = r.valid_from ? `${r.valid_from}T00:00:00.000Z` : at;
    if (r.exclusive || EXCLUSIVE.has(relationship)) {
      for (const old of same) {
        if (old.destination.id !== destinationId && old.validTo === null) closes.set(old.id, validFrom);
      }
    }
    relations.push({
      id: randomUUID(),
      sourceId,
      relationship,
      destinationId,
      fact: r.fact,
      validFrom,
      validTo: r.valid_to ? `${r.valid_to}T00:00:00.000Z` : null,
      messageRefs: messageRefsOf(request),
      fact_index: r.fact_index,
    });
  }
  return {
    relations: relations.map((r) => ({
      source: nameOf(r.sourceId),
      relationship: r.relationship,
      destination: nameOf(r.destinationId),
      valid_from: r.validFrom,
      valid_to: r.validTo,
    })),
    write: (memoryOfFact) => ({
      scope,
      at: ctx.now(),
      entities: resolution.writes,
      relations: relations.map(({ fact_index, ...r }) => ({
        ...r,
        memory: fact_index === null ? null : memoryOfFact(fact_index),
      })),
      closes: [...closes].map(([id, validTo]) => ({ id, validTo })),
    }),
  };
}

/**
 * The names the prompt shows so the model reuses them: the entities the messages name first, then
 * others of the scope, at most 50.
 */
export async function knownEntityNames(
  graph: GraphStore,
  tenant: string,
  scope: GraphScope,
  texts: string[],
): Promise<{ name: string; type: string }[]> {
  const named = await graph.findEntities(tenant, scope, queryKeys(texts.join('\n')));
  const shown = new Map(named.map((e) => [e.id, e]));
  if (shown.size < KNOWN_SHOWN) {
    for (const e of await graph.entities(tenant, scope)) {
      if (shown.size >= KNOWN_SHOWN) break;
      shown.set(e.id, e);
    }
  }
  return [...shown.values()].slice(0, KNOWN_SHOWN).map((e) => ({ name: e.name, type: e.type }));
}

const KNOWN_SHOWN = 50;

/**
 * The logged messages the relations come from: a request's messages are logged as `<job>:<i>`
 * (contextBefore names the first of each add), so one add's refs are spelled out; a group of
 * queued adds names each add's first message.
 */
function messageRefsOf(request: InferRequest): string[] {
  const first = request.contextBefore ?? [];
  if (first.length !== 1) return first;
  const job = first[0]!.replace(/:0$/, '');
  return request.messages.map((_, i) => `${job}:${i}`);
}

/** "Lives In" / "lives-in" / "LIVES_IN" → "lives_in". */
export function normaliseRelationship(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, '_')
      .replace(/^_+|_+$/g, '') || 'related_to'
  );
}
