import type { ScopeIds } from '../../memory/resolve-scope.js';
import { scopeIds } from '../../memory/resolve-scope.js';
import { checkMetadata, checkText, type InputLimits } from '../../memory/validate-input.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { MemoryBundle } from '../../spec/store-transfer.js';
import { textHash } from '../../util/text-hash.js';
import type { DatedEvent } from './date-history.js';
import { type Mem0Fields, readPayload } from './mem0-payload.js';
import type { Mem0Point, Mem0SkipCode } from './mem0-records.js';
import { laterOf, normalizeTime } from './mem0-time.js';

export interface BuildContext {
  tenant: string;
  limits: InputLimits;
  /** Where memories go whose scope mem0 did not record (history only); null: they are skipped. */
  unscopedInto: ScopeIds | null;
  /** Whether any source is a vector store (else every memory is known from history alone). */
  vectorStoreGiven: boolean;
  /** The import's time: a memory mem0 gave no time at all is dated at it. */
  now: string;
}

export interface MemoryInput {
  id: string;
  point: Mem0Point | null;
  /** This memory's history rows in log order. */
  events: DatedEvent[];
}

export interface BuiltMemory {
  bundle: MemoryBundle;
  /** The current version's vector from the source (null when none, or the memory is deleted). */
  vector: number[] | null;
  /** Events whose time mem0 did not record. */
  estimated: number;
  /** DELETE events of a memory its vector store still holds (mem0 wrote one and failed the other). */
  ignoredDeletes: number;
}

/** Why one memory is not imported; caught by mem0ToBundles, which records it. */
export class SkipMemory extends Error {
  constructor(
    readonly code: Mem0SkipCode,
    message: string,
  ) {
    super(message);
  }
}

const ACTOR = 'mem0';
const IMPORTED = 'imported from mem0';
type Version = MemoryBundle['versions'][number];

/**
 * One mem0 memory as an engram MemoryBundle: its history replayed into versions (each text with
 * its world and system intervals, as engram's own updates write them) and history events, the
 * vector store's payload giving the scope, metadata and the current text. Throws SkipMemory
 * when it cannot be imported as engram would have stored it (no scope, text or metadata outside
 * engram's limits), so what is imported is what `add` would have accepted.
 */
export function buildBundle(input: MemoryInput, ctx: BuildContext): BuiltMemory {
  const fields = input.point ? readPayload(input.point.payload) : null;
  const ids = scopeOf(input, fields, ctx);
  const clean = (raw: unknown, what: string): string => {
    if (typeof raw !== 'string' || raw.trim() === '') throw new SkipMemory('no_text', `${what} is empty`);
    try {
      return checkText(raw, ctx.limits, what).trim();
    } catch (error) {
      throw new SkipMemory('invalid_text', MemoryError.is(error) ? error.message : String(error));
    }
  };
  let metadata: MemoryBundle['metadata'];
  try {
    metadata = checkMetadata(fields?.metadata ?? {}, ctx.limits);
  } catch (error) {
    throw new SkipMemory('invalid_metadata', MemoryError.is(error) ? error.message : String(error));
  }

  const fallback =
    fields?.createdAt ?? fields?.updatedAt ?? input.events.find((e) => e.at !== null)?.at ?? ctx.now;
  let clock: string | null = null;
  // Times never go back within one memory (mixed offsets or clock skew in the source).
  const time = (at: string | null): string => {
    const chosen = laterOf(clock, at ?? clock ?? fallback)!;
    clock = chosen;
    return chosen;
  };
  const versions: Version[] = [];
  const history: MemoryBundle['history'] = [];
  const current = () => versions[versions.length - 1]!;
  const open = (text: string, at: string, event: 'ADD' | 'UPDATE', reason: string) => {
    const previous = versions[versions.length - 1];
    if (previous) {
      previous.validTo = at;
      previous.expiredAt = at;
    }
    versions.push({
      version: versions.length + 1,
      text,
      hash: textHash(text),
      validFrom: at,
      validTo: null,
      recordedAt: at,
      expiredAt: null,
      embeddingModel: null,
      indexed: true,
      embedding: null,
    });
    history.push({
      event,
      oldText: previous?.text ?? null,
      newText: text,
      actor: ACTOR,
      reason,
      at,
      version: versions.length,
    });
  };
  const reasonOf = (e: DatedEvent) =>
    e.estimated
      ? `${IMPORTED} (mem0 recorded no time: dated at the latest time before it in its history)`
      : IMPORTED;

  let deletedAt: string | null = null;
  let estimated = 0;
  let ignoredDeletes = 0;
  for (const e of input.events) {
    if (deletedAt !== null) break;
    if (e.event !== 'ADD' && e.event !== 'UPDATE' && e.event !== 'DELETE') continue;
    if (e.event === 'DELETE' && input.point) {
      ignoredDeletes++;
      continue;
    }
    if (versions.length === 0 && e.event !== 'ADD') {
      // The log starts later than the memory (a trimmed history): its first text is the old one.
      const first = e.oldText ?? e.newText;
      open(
        clean(first, `memory ${input.id}`),
        time(normalizeTime(e.createdAt) ?? e.at),
        'ADD',
        `${IMPORTED} (its history starts after the memory was added)`,
      );
    }
    const at = time(e.at);
    if (e.estimated) estimated++;
    if (e.event === 'DELETE') {
      deletedAt = at;
      history.push({
        event: 'DELETE',
        oldText: current().text,
        newText: null,
        actor: ACTOR,
        reason: reasonOf(e),
        at,
        version: current().version,
      });
      continue;
    }
    const text = clean(e.newText ?? versions[versions.length - 1]?.text, `memory ${input.id}`);
    if (versions.length === 0) open(text, at, 'ADD', reasonOf(e));
    else if (text !== current().text) open(text, at, 'UPDATE', reasonOf(e));
    // A metadata-only update: the event, no new version.
    else
      history.push({
        event: 'UPDATE',
        oldText: text,
        newText: text,
        actor: ACTOR,
        reason: reasonOf(e),
        at,
        version: current().version,
      });
  }
  if (fields) {
    const text = clean(fields.text, `memory ${input.id} (its payload's data)`);
    if (versions.length === 0) {
      open(
        text,
        time(fields.createdAt ?? fields.updatedAt),
        'ADD',
        `${IMPORTED} (no history: one version, dated at its creation)`,
      );
    } else if (text !== current().text) {
      open(
        text,
        time(fields.updatedAt),
        'UPDATE',
        `${IMPORTED} (its vector store holds a later text than its history)`,
      );
    }
  }
  if (versions.length === 0) throw new SkipMemory('no_text', 'its history holds no text for it');
  if (deletedAt !== null) {
    for (const v of versions) v.indexed = false;
    current().expiredAt = deletedAt;
  }
  const first = versions[0]!;
  const createdAt =
    fields?.createdAt && fields.createdAt < first.recordedAt ? fields.createdAt : first.recordedAt;
  const lastEvent = history[history.length - 1]!.at;
  const updatedAt = deletedAt ?? laterOf(laterOf(createdAt, lastEvent), fields?.updatedAt ?? null)!;
  const lastWith = (key: 'actorId' | 'role') =>
    [...input.events].reverse().find((e) => e[key] !== null)?.[key] ?? null;
  const bundle: MemoryBundle = {
    id: input.id,
    tenant: ctx.tenant,
    ...ids,
    actorId: fields?.actorId ?? lastWith('actorId'),
    role: fields?.role ?? lastWith('role'),
    metadata,
    categories: fields?.categories ?? [],
    importance: 0.5,
    memoryType: fields?.memoryType ?? 'semantic',
    state: deletedAt === null ? 'active' : 'deleted',
    createdAt,
    updatedAt,
    validTo: null,
    expiredAt: deletedAt,
    supersededBy: null,
    source: [],
    accessCount: 0,
    lastAccessedAt: null,
    version: current().version,
    versions,
    history,
  };
  const vector = deletedAt === null ? (input.point?.vector ?? null) : null;
  return { bundle, vector, estimated, ignoredDeletes };
}

function scopeOf(input: MemoryInput, fields: Mem0Fields | null, ctx: BuildContext): ScopeIds {
  if (fields === null) {
    const deleted = input.events.some((e) => e.event === 'DELETE');
    if (!deleted && ctx.vectorStoreGiven) {
      throw new SkipMemory(
        'not_in_vector_store',
        'it is in the history, not deleted there, but not in the vector store given (another collection?)',
      );
    }
    if (ctx.unscopedInto === null) {
      throw new SkipMemory(
        'no_scope',
        `${deleted ? 'deleted in mem0' : 'known from the history alone (no vector store given)'}: mem0's history records no user, agent or run, so engram cannot place it (nor erase it by scope later); pass --unscoped-into user=<id> to import such memories into one scope`,
      );
    }
    return ctx.unscopedInto;
  }
  const asId = (value: unknown) =>
    typeof value === 'number' ? String(value) : (value as string | undefined);
  let ids: ScopeIds;
  try {
    ids = scopeIds({
      user_id: asId(fields.userId),
      agent_id: asId(fields.agentId),
      run_id: asId(fields.runId),
    });
  } catch (error) {
    throw new SkipMemory('invalid_scope', MemoryError.is(error) ? error.message : String(error));
  }
  if (ids.userId || ids.agentId || ids.runId) return ids;
  if (ctx.unscopedInto === null) {
    throw new SkipMemory(
      'no_scope',
      'its payload names no user_id, agent_id or run_id; pass --unscoped-into user=<id> to import such memories into one scope',
    );
  }
  return ctx.unscopedInto;
}
