import type { EngramConfig } from '../../config/engram-config.js';
import type { FilterNode } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue, Metadata } from '../../spec/memory-record.js';
import { DETECTOR_VERSION, type InstructionClass } from './detect-instructions.js';

export type SafetyConfig = EngramConfig['safety'];

/**
 * The metadata key engram keeps a memory's safety state under. Reserved: callers may not set,
 * change or remove it (an add or update that names it is refused), so a memory cannot be made to
 * look clean; only engram writes it, and `update(id, {release: true})` releases a memory.
 */
export const SAFETY_KEY = 'engram_safety';

/** flagged: kept visible, marked; quarantined: hidden from recall; released: a person let it back in. */
export type SafetyStatus = 'flagged' | 'quarantined' | 'released';

export interface SafetyMark {
  status: SafetyStatus;
  flags: InstructionClass[];
  detector: number;
  released_at?: string;
}

/** The mark a text with these findings gets under the configured mode (null: nothing to mark). */
export function markFor(flags: InstructionClass[], mode: SafetyConfig['instructions']): SafetyMark | null {
  if (mode === 'off' || flags.length === 0) return null;
  return { status: mode === 'quarantine' ? 'quarantined' : 'flagged', flags, detector: DETECTOR_VERSION };
}

/** The metadata with the mark set, or without any mark when null. */
export function withMark(metadata: Metadata, mark: SafetyMark | null): Metadata {
  const { [SAFETY_KEY]: _old, ...rest } = metadata;
  return mark === null ? rest : { ...rest, [SAFETY_KEY]: mark as unknown as JsonValue };
}

/** The mark a memory's metadata holds, if any. */
export function markOf(metadata: Metadata): SafetyMark | null {
  const value = metadata[SAFETY_KEY];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return value as unknown as SafetyMark;
}

/** The mark after a person releases the memory (its findings kept, for the record). */
export function released(mark: SafetyMark | null, at: string): SafetyMark | null {
  return mark === null ? null : { ...mark, status: 'released', released_at: at };
}

/** Refuses caller metadata that names the reserved key, whatever its value (null included). */
export function refuseReservedKey(metadata: Metadata | undefined, what: string): void {
  if (metadata && Object.hasOwn(metadata, SAFETY_KEY)) {
    throw new MemoryError(
      'invalid_input',
      `${what}: metadata.${SAFETY_KEY} is engram's own safety mark and cannot be set by a caller; leave it out (release a quarantined memory with update(id, {release: true})).`,
      { details: { field: `metadata.${SAFETY_KEY}` } },
    );
  }
}

/** Memories held in quarantine (hidden from recall unless asked for; see visibleFilter). */
export const QUARANTINED: FilterNode = {
  kind: 'meta',
  path: [SAFETY_KEY, 'status'],
  op: 'eq',
  value: 'quarantined',
};

/** `filter` less quarantined memories. */
export function withoutQuarantined(filter: FilterNode | null): FilterNode | null {
  const live: FilterNode = { kind: 'not', child: QUARANTINED };
  return filter === null ? live : { kind: 'and', children: [filter, live] };
}
