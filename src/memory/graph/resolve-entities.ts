import { randomUUID } from 'node:crypto';
import type { GraphConfig } from '../../config/engram-config.js';
import type { ChatModel } from '../../spec/chat-model.js';
import type { EntityWithVector, EntityWrite, GraphScope, GraphStore } from '../../spec/graph.js';
import { entityKey } from '../../util/entity-key.js';
import type { EmbeddingGate } from '../embedding-gate.js';
import { callStructured } from '../inference/structured-call.js';
import type { UsageMeter } from '../inference/usage-meter.js';
import { confirmEntitiesPrompt, SELF_NAME } from '../prompts/extract-graph.js';

export interface ExtractedEntity {
  name: string;
  type: string;
  summary: string | null;
  aliases: string[];
}

export interface ResolveContext {
  graph: GraphStore;
  gate: EmbeddingGate;
  chain: readonly ChatModel[];
  tenant: string;
  scope: GraphScope;
  settings: Pick<GraphConfig, 'sameAbove' | 'askAbove'>;
  meter: UsageMeter;
}

/** What resolution decided: the entity every extracted name stands for, and what to write. */
export interface Resolution {
  /** Extracted name key (and alias key) → the id of the entity it resolves to. */
  idOf: Map<string, string>;
  /** id → display name, for the relations the add returns. */
  nameOf: Map<string, string>;
  writes: EntityWrite[];
}

/** Words that stand for the user whose memory this is. */
const SELF_KEYS = new Set([entityKey(SELF_NAME), 'i', 'me', 'my', 'myself', 'the user']);

/**
 * Entity resolution, deterministic first: (1) the user's own entity for self-references;
 * (2) an exact match of the normalised name or an alias with a known entity's name or alias;
 * (3) name-vector similarity at or above `sameAbove`; (4) only in the band between `askAbove` and
 * `sameAbove`, or when one name's words are a subset of the other's (Amy / Amy Smith), one LLM
 * call confirms or rejects the pairs. An entity matched by (3) or (4) is stored under its own name
 * and merged into the known one (recorded with the reason, reversible); otherwise it is new.
 */
export async function resolveEntities(
  ctx: ResolveContext,
  extracted: ExtractedEntity[],
  selfName: string,
): Promise<Resolution> {
  const at = { idOf: new Map<string, string>(), nameOf: new Map<string, string>() };
  const writes = new Map<string, EntityWrite>();
  const unique = dedupe(extracted);
  const keysOf = (e: ExtractedEntity) => [
    ...new Set([e.name, ...e.aliases].map(entityKey).filter((k) => k !== '')),
  ];
  const known = await ctx.graph.findEntities(ctx.tenant, ctx.scope, [
    ...new Set([...unique.flatMap(keysOf), entityKey(selfName)]),
  ]);
  const byKey = new Map<string, (typeof known)[number]>();
  for (const entity of known) {
    for (const key of [entity.key, ...entity.aliases.map(entityKey)])
      if (!byKey.has(key)) byKey.set(key, entity);
  }
  // A name found only through a merged entity ("Amy Smith", merged into Amy) is asked for alone,
  // so it resolves to the merge target instead of being merged again.
  if (known.length > 0) {
    for (const key of new Set(unique.flatMap(keysOf))) {
      if (byKey.has(key)) continue;
      const [target] = await ctx.graph.findEntities(ctx.tenant, ctx.scope, [key]);
      if (target) byKey.set(key, target);
    }
  }

  const bind = (e: ExtractedEntity, id: string, name: string) => {
    for (const key of keysOf(e)) at.idOf.set(key, id);
    at.nameOf.set(id, name);
  };
  const pending: ExtractedEntity[] = [];
  for (const e of unique) {
    const keys = keysOf(e);
    if (keys.some((k) => SELF_KEYS.has(k))) {
      const self = byKey.get(entityKey(selfName));
      const id = self?.id ?? writes.get('self')?.id ?? randomUUID();
      if (!self && !writes.has('self')) {
        writes.set(
          'self',
          newEntity(id, { name: selfName, type: 'person', summary: 'the user', aliases: [] }),
        );
      }
      bind(e, id, self?.name ?? selfName);
      continue;
    }
    const match = keys.map((k) => byKey.get(k)).find((x) => x !== undefined);
    if (match) {
      const added = e.aliases.filter((a) => !match.aliases.includes(a) && entityKey(a) !== match.key);
      if (e.name !== match.name && !match.aliases.includes(e.name)) added.push(e.name);
      if (added.length > 0 || (e.summary && !match.summary)) {
        writes.set(match.id, {
          id: match.id,
          isNew: false,
          name: match.name,
          type: match.type,
          summary: match.summary ?? e.summary,
          aliases: [...match.aliases, ...added],
          key: match.key,
          vector: null,
        });
      }
      bind(e, match.id, match.name);
      continue;
    }
    pending.push(e);
  }
  if (pending.length === 0) return { ...at, writes: [...writes.values()] };

  // Similarity: one embedding call for the new names, compared with the scope's entities.
  const vectors =
    (await ctx.gate.embed(
      pending.map((e) => e.name),
      { meter: ctx.meter },
    )) ?? [];
  const scopeEntities = await ctx.graph.entities(ctx.tenant, ctx.scope);
  const asks: { entity: ExtractedEntity; vector: Float32Array | null; known: EntityWithVector }[] = [];
  for (const [i, e] of pending.entries()) {
    const vector = vectors[i] ?? null;
    const best = bestMatch(e, vector, scopeEntities);
    if (best && best.score >= ctx.settings.sameAbove) {
      mergeInto(e, vector, best.entity, `name similarity ${best.score.toFixed(3)}`);
    } else if (best && (best.score >= ctx.settings.askAbove || best.wordSubset)) {
      asks.push({ entity: e, vector, known: best.entity });
    } else {
      const id = randomUUID();
      writes.set(id, newEntity(id, e, vector));
      bind(e, id, e.name);
    }
  }
  if (asks.length > 0) {
    const reply = await callStructured(
      ctx.chain,
      confirmEntitiesPrompt,
      {
        pairs: asks.map((a, id) => ({
          id,
          extracted: a.entity.name,
          known: a.known.name,
          knownSummary: a.known.summary,
          type: a.known.type,
        })),
      },
      ctx.meter,
    );
    for (const [id, ask] of asks.entries()) {
      if (reply.same.includes(id)) {
        mergeInto(ask.entity, ask.vector, ask.known, 'similar name, confirmed by the model');
      } else {
        const newId = randomUUID();
        writes.set(newId, newEntity(newId, ask.entity, ask.vector));
        bind(ask.entity, newId, ask.entity.name);
      }
    }
  }
  return { ...at, writes: [...writes.values()] };

  function mergeInto(
    e: ExtractedEntity,
    vector: Float32Array | null,
    into: EntityWithVector,
    reason: string,
  ) {
    const id = randomUUID();
    writes.set(id, { ...newEntity(id, e, vector), mergedInto: { id: into.id, reason } });
    bind(e, into.id, into.name);
  }
}

function newEntity(id: string, e: ExtractedEntity, vector: Float32Array | null = null): EntityWrite {
  return {
    id,
    isNew: true,
    name: e.name,
    type: e.type,
    summary: e.summary,
    aliases: e.aliases.filter((a) => entityKey(a) !== entityKey(e.name)),
    key: entityKey(e.name),
    vector,
  };
}

/** One entry per name key: later mentions add their aliases and a missing summary. */
function dedupe(entities: ExtractedEntity[]): ExtractedEntity[] {
  const byKey = new Map<string, ExtractedEntity>();
  for (const e of entities) {
    const key = entityKey(e.name);
    if (key === '') continue;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...e, aliases: [...e.aliases] });
    else {
      seen.aliases.push(...e.aliases.filter((a) => !seen.aliases.includes(a)));
      seen.summary ??= e.summary;
    }
  }
  return [...byKey.values()];
}

/**
 * The known entity of the same type closest to a new name: by vector cosine, and flagged when the
 * words of one name are all among the other's ("Amy" and "Amy Smith"), which alone is not proof.
 */
function bestMatch(
  e: ExtractedEntity,
  vector: Float32Array | null,
  known: EntityWithVector[],
): { entity: EntityWithVector; score: number; wordSubset: boolean } | null {
  const words = new Set(entityKey(e.name).split(' '));
  let best: { entity: EntityWithVector; score: number; wordSubset: boolean } | null = null;
  for (const entity of known) {
    if (entity.type !== e.type) continue;
    const other = new Set(entity.key.split(' '));
    const wordSubset = [...words].every((w) => other.has(w)) || [...other].every((w) => words.has(w));
    const score = vector && entity.vector ? cosine(vector, entity.vector) : 0;
    const rank = (m: { score: number; wordSubset: boolean }) => m.score + (m.wordSubset ? 1 : 0);
    if (!best || rank({ score, wordSubset }) > rank(best)) best = { entity, score, wordSubset };
  }
  return best;
}

function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
