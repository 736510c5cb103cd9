import { type BuildContext, type BuiltMemory, buildBundle, SkipMemory } from './build-bundle.js';
import { type DatedEvent, dateHistory } from './date-history.js';
import { isEntityRecord } from './mem0-payload.js';
import type { Mem0Point, Mem0Skip, Mem0SourceData } from './mem0-records.js';

export interface Mem0Conversion {
  /** In creation order (then id): engram lists newest first by the order rows were written. */
  memories: BuiltMemory[];
  skipped: Mem0Skip[];
  /** Events dated by estimate (mem0 recorded no time), over all memories. */
  estimatedTimes: number;
  /** DELETE events ignored because the memory is still in the vector store. */
  ignoredDeletes: number;
}

/**
 * Every mem0 memory the sources know — from a vector store, a history, or both, matched by id —
 * as engram bundles, with what could not be imported and why. Pure: reads nothing, writes
 * nothing, the same sources give the same rows (the import's idempotency key depends on it).
 */
export function mem0ToBundles(
  sources: readonly Mem0SourceData[],
  ctx: Omit<BuildContext, 'vectorStoreGiven'>,
): Mem0Conversion {
  const skipped: Mem0Skip[] = [];
  const points = new Map<string, { point: Mem0Point; source: string }>();
  for (const source of sources) {
    for (const point of source.points ?? []) {
      if (isEntityRecord(point.payload)) {
        skipped.push({
          code: 'entity_record',
          id: point.id,
          source: source.label,
          reason: "an entry of mem0's entity index (it names an entity and links memories), not a memory",
        });
      } else if (points.has(point.id)) {
        skipped.push({
          code: 'duplicate_id',
          id: point.id,
          source: source.label,
          reason: `the same id is in ${points.get(point.id)!.source}, which was read first and is imported`,
        });
      } else {
        points.set(point.id, { point, source: source.label });
      }
    }
  }
  const events = new Map<string, { rows: DatedEvent[]; source: string }>();
  for (const source of sources) {
    if (source.history === null) continue;
    for (const row of dateHistory(source.history)) {
      const known = events.get(row.memoryId);
      if (known) known.rows.push(row);
      else events.set(row.memoryId, { rows: [row], source: source.label });
    }
  }
  const full: BuildContext = { ...ctx, vectorStoreGiven: sources.some((s) => s.points !== null) };
  const built: BuiltMemory[] = [];
  let estimatedTimes = 0;
  let ignoredDeletes = 0;
  for (const id of new Set([...points.keys(), ...events.keys()])) {
    const found = points.get(id);
    const history = events.get(id);
    try {
      const memory = buildBundle({ id, point: found?.point ?? null, events: history?.rows ?? [] }, full);
      built.push(memory);
      estimatedTimes += memory.estimated;
      ignoredDeletes += memory.ignoredDeletes;
    } catch (error) {
      if (!(error instanceof SkipMemory)) throw error;
      skipped.push({ code: error.code, id, source: found?.source ?? history!.source, reason: error.message });
    }
  }
  built.sort(
    (a, b) => a.bundle.createdAt.localeCompare(b.bundle.createdAt) || a.bundle.id.localeCompare(b.bundle.id),
  );
  return { memories: dropDuplicateTexts(built, skipped, points), skipped, estimatedTimes, ignoredDeletes };
}

/**
 * engram holds one active memory per text and scope (mem0 allows two, e.g. the same `infer:
 * false` add twice): the earliest is kept, the others are skipped and named.
 */
function dropDuplicateTexts(
  built: BuiltMemory[],
  skipped: Mem0Skip[],
  points: Map<string, { source: string }>,
): BuiltMemory[] {
  const kept = new Map<string, string>();
  return built.filter(({ bundle }) => {
    if (bundle.state !== 'active') return true;
    const hash = bundle.versions.find((v) => v.version === bundle.version)!.hash;
    const key = JSON.stringify([bundle.tenant, bundle.userId, bundle.agentId, bundle.runId, hash]);
    const first = kept.get(key);
    if (first === undefined) {
      kept.set(key, bundle.id);
      return true;
    }
    skipped.push({
      code: 'duplicate_text',
      id: bundle.id,
      source: points.get(bundle.id)?.source ?? 'history',
      reason: `memory ${first} has the same text in the same scope and is imported (engram keeps one active memory per text and scope)`,
    });
    return false;
  });
}
