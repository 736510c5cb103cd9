import type { InputMessage } from '../api-types.js';
import type { ExtractedFact } from '../prompts/extract-facts.js';
import type { InferRequest, MessageOrigin } from './infer-types.js';

/** Consecutive turns that came from the same add. */
export interface OriginGroup {
  origin: MessageOrigin;
  count: number;
}

/** The add a request's messages come from when they all come from it. */
export function ownOrigin(request: InferRequest): MessageOrigin {
  return {
    eventTime: request.eventTime,
    actorId: request.actorId ?? null,
    metadata: request.metadata,
    importance: request.importance ?? null,
  };
}

/**
 * The request's turns (system messages are not learnt from) in runs of the same origin. Never
 * empty: a request without turns is one empty group of its own.
 */
export function originGroups(request: InferRequest): { turns: InputMessage[]; groups: OriginGroup[] } {
  const own = ownOrigin(request);
  const turns: InputMessage[] = [];
  const groups: OriginGroup[] = [];
  for (const [i, message] of request.messages.entries()) {
    if (message.role === 'system') continue;
    const origin = request.origins?.[i] ?? own;
    const last = groups.at(-1);
    if (last && sameOrigin(last.origin, origin)) last.count++;
    else groups.push({ origin, count: 1 });
    turns.push(message);
  }
  return { turns, groups: groups.length > 0 ? groups : [{ origin: own, count: 0 }] };
}

/**
 * The origin of a fact: the group it names as `source`; without one (a model that left it out),
 * the last group, the newest add, as for a single add.
 */
export function originOfFact(fact: ExtractedFact, groups: OriginGroup[]): MessageOrigin {
  const named = fact.source === undefined || fact.source === null ? undefined : groups[fact.source];
  return (named ?? groups[groups.length - 1]!).origin;
}

/**
 * The per-message origins of requests merged into one inference (a group of queued jobs), or
 * undefined when every message shares one origin (nothing to tell apart).
 */
export function mergedOrigins(requests: InferRequest[]): MessageOrigin[] | undefined {
  const origins = requests.flatMap((r) => r.messages.map(() => ownOrigin(r)));
  return origins.every((o) => sameOrigin(o, origins[0]!)) ? undefined : origins;
}

function sameOrigin(a: MessageOrigin, b: MessageOrigin): boolean {
  return (
    a.eventTime === b.eventTime &&
    a.actorId === b.actorId &&
    a.importance === b.importance &&
    JSON.stringify(a.metadata) === JSON.stringify(b.metadata)
  );
}
