import type { MemoryRecord } from '../../spec/memory-record.js';
import type { Change, Store } from '../../spec/store.js';
import { UsageMeter } from '../inference/usage-meter.js';
import type { MemoryContext } from '../memory-context.js';
import { type ScopeIds, scopeFilter, scopeKey } from '../resolve-scope.js';
import { chooseSurvivor } from './choose-survivor.js';
import type { ConsolidationMerge, ConsolidationPair, ConsolidationReport } from './consolidation-report.js';
import { unitVectors } from './cosine-similarity.js';
import { DisjointSets } from './disjoint-sets.js';
import { type CandidatePair, findPairs } from './find-pairs.js';
import { judgePairs } from './judge-pairs.js';

const PAGE = 1000;

/**
 * Merges near-duplicate memories of one scope (docs/lifecycle.md, "Consolidation"): equal
 * normalised text and cosine ≥ sameAbove without a model, pairs in [askAbove, sameAbove) judged by
 * the LLM, pairs joined transitively into groups. Each group keeps one memory; the others are
 * superseded by it (INVALIDATE in their history, reason "consolidated into <id>"), one store
 * transaction per group, nothing erased. Memories are compared only with memories of exactly the
 * same user, agent and run (and type and expiry day), so nothing is merged across scopes; the
 * store's tenant predicate keeps tenants apart. A dry run does everything but write.
 */
export async function consolidate(
  ctx: MemoryContext,
  ids: ScopeIds,
  options: { dryRun: boolean },
): Promise<ConsolidationReport> {
  // The scope's own lock: an inferred add of this scope never reconciles against a half-merged view.
  return ctx.engine.exclusive(scopeKey(ctx.tenant, ids), async () => {
    const { store, gate } = await ctx.open();
    const { sameAbove, askAbove, maxMemories } = ctx.config.consolidation;
    const meter = new UsageMeter();
    const notes: string[] = [];
    const { memories, total } = await readNewest(store, ctx.tenant, ids, maxMemories);
    if (total > memories.length) {
      notes.push(`compared the newest ${memories.length} of ${total} memories (consolidation.maxMemories)`);
    }
    const embedded = await gate.embed(
      memories.map((m) => m.text),
      { meter },
    );
    if (!embedded && memories.length > 1) {
      notes.push('no embedder configured: only memories with equal normalised text were compared');
    }
    const vectors = embedded && unitVectors(embedded);

    const pairs: CandidatePair[] = [];
    for (const members of partitions(memories)) {
      const found = findPairs(
        members.map((i) => memories[i]!.text),
        vectors && members.map((i) => vectors[i]!),
        { sameAbove, askAbove },
      );
      for (const p of found) pairs.push({ ...p, a: members[p.a]!, b: members[p.b]! });
    }

    const sets = new DisjointSets(memories.length);
    const evidence = new Map<number, string>();
    const decided: {
      pair: CandidatePair;
      decidedBy: ConsolidationPair['decidedBy'];
      same: boolean | null;
    }[] = [];
    const join = (p: CandidatePair, why: string) => {
      sets.union(p.a, p.b);
      if (!evidence.has(p.b)) evidence.set(p.b, why);
      if (!evidence.has(p.a)) evidence.set(p.a, why);
    };
    for (const p of pairs) {
      if (p.kind === 'ask') continue;
      join(p, p.kind === 'text' ? 'equal text' : `cosine ${p.similarity!.toFixed(3)}`);
      decided.push({ pair: p, decidedBy: p.kind, same: true });
    }
    const ask: CandidatePair[] = [];
    for (const p of pairs) {
      if (p.kind !== 'ask') continue;
      if (sets.find(p.a) === sets.find(p.b)) decided.push({ pair: p, decidedBy: 'group', same: true });
      else ask.push(p);
    }
    const chain = ctx.engine.chain();
    let undecided = 0;
    if (ask.length > 0 && chain.length === 0) {
      undecided = ask.length;
      notes.push(
        `no LLM configured: ${ask.length} pairs with cosine in [${askAbove}, ${sameAbove}) were left alone`,
      );
      for (const p of ask) decided.push({ pair: p, decidedBy: 'none', same: null });
    } else if (ask.length > 0) {
      const verdicts = await judgePairs(
        chain,
        ask.map((p) => ({ a: memories[p.a]!.text, b: memories[p.b]!.text })),
        meter,
      );
      ask.forEach((p, i) => {
        const same = verdicts[i] === true;
        if (same) join(p, `judged the same fact by the LLM (cosine ${p.similarity!.toFixed(3)})`);
        decided.push({ pair: p, decidedBy: 'llm', same });
      });
    }

    const merges: ConsolidationMerge[] = [];
    for (const group of sets.groups()) {
      const records = group.map((i) => memories[i]!);
      const survivor = chooseSurvivor(records);
      const merged = group
        .filter((i) => memories[i]!.id !== survivor.id)
        .map((i) => ({
          id: memories[i]!.id,
          text: memories[i]!.text,
          reason: `consolidated into ${survivor.id}: ${evidence.get(i) ?? 'same group'}`,
        }));
      if (!options.dryRun) {
        const applied = await applyGroup(store, ctx.tenant, survivor, records, merged, ctx.engine.now());
        if (!applied) {
          notes.push(`group of ${survivor.id} skipped: its memories changed while consolidation ran`);
          continue;
        }
      }
      merges.push({ survivor: { id: survivor.id, text: survivor.text }, merged });
    }

    const show = (i: number) => ({ id: memories[i]!.id, text: memories[i]!.text });
    const mergedCount = merges.reduce((n, m) => n + m.merged.length, 0);
    return {
      dryRun: options.dryRun,
      compared: memories.length,
      notCompared: total - memories.length,
      groups: merges.length,
      merged: mergedCount,
      kept: memories.length - mergedCount,
      llmCalls: meter.llmCalls,
      tokens: { input: meter.inputTokens, output: meter.outputTokens },
      embedCalls: meter.embedCalls,
      undecided,
      pairs: decided.map(({ pair, decidedBy, same }) => ({
        a: show(pair.a),
        b: show(pair.b),
        similarity: pair.similarity === null ? null : round(pair.similarity),
        decidedBy,
        same,
      })),
      merges,
      notes,
    };
  });
}

/** The newest `max` active memories of the scope (its sub-scopes included; partitions split them). */
async function readNewest(
  store: Store,
  tenant: string,
  ids: ScopeIds,
  max: number,
): Promise<{ memories: MemoryRecord[]; total: number }> {
  const memories: MemoryRecord[] = [];
  let cursor: string | undefined;
  let total = 0;
  do {
    const page = await store.listMemories(tenant, {
      filter: scopeFilter(ids),
      states: ['active'],
      limit: Math.min(PAGE, max - memories.length),
      cursor,
    });
    total = page.total;
    memories.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && memories.length < max);
  return { memories, total };
}

/**
 * Indexes of the memories that may be compared with each other: exactly the same user, agent and
 * run (a user's memories with an agent are not the user's own), the same memory type and the same
 * expiry day (a memory that expires never absorbs one that does not).
 */
function partitions(memories: readonly MemoryRecord[]): number[][] {
  const byKey = new Map<string, number[]>();
  memories.forEach((m, i) => {
    const key = JSON.stringify([
      m.userId,
      m.agentId,
      m.runId,
      m.memoryType,
      m.metadata.expiration_date ?? null,
    ]);
    const members = byKey.get(key);
    if (members) members.push(i);
    else byKey.set(key, [i]);
  });
  return [...byKey.values()].filter((members) => members.length > 1);
}

/**
 * One transaction per group: the survivor takes the group's highest importance (in place, no new
 * version), every other member is superseded by it. The group is re-read first and skipped when
 * a member is no longer active (another process changed it since it was listed).
 */
async function applyGroup(
  store: Store,
  tenant: string,
  survivor: MemoryRecord,
  records: readonly MemoryRecord[],
  merged: readonly { id: string; reason: string }[],
  at: string,
): Promise<boolean> {
  const now = await store.getMemories(
    tenant,
    records.map((r) => r.id),
  );
  if (now.length !== records.length || now.some((r) => r.state !== 'active')) return false;
  const changes: Change[] = [];
  const importance = Math.max(...records.map((r) => r.importance));
  if (importance > survivor.importance) {
    changes.push({
      kind: 'update',
      id: survivor.id,
      patch: { importance, at, actor: 'consolidation', reason: 'consolidated: importance of its duplicates' },
    });
  }
  for (const m of merged) {
    changes.push({
      kind: 'invalidate',
      id: m.id,
      validTo: at,
      supersededBy: survivor.id,
      at,
      actor: 'consolidation',
      reason: m.reason,
    });
  }
  await store.applyChanges(tenant, changes);
  return true;
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
