import type { MemoryType } from '../../spec/memory-record.js';
import { normalizeTime } from './mem0-time.js';

/**
 * The parts of a mem0 payload engram keeps in their own fields. mem0 TypeScript writes camelCase
 * (createdAt, updatedAt, textLemmatized; the scope ids snake_case), mem0 Python snake_case. What
 * is not listed here is the caller's metadata and stays metadata.
 */
const OWN_KEYS = new Set([
  'data',
  'hash',
  'textLemmatized',
  'text_lemmatized',
  'createdAt',
  'created_at',
  'updatedAt',
  'updated_at',
  'user_id',
  'agent_id',
  'run_id',
  'userId',
  'agentId',
  'runId',
  'actor_id',
  'actorId',
  'role',
]);

/** mem0 Python's MemoryType values. */
const MEMORY_TYPES: Readonly<Record<string, MemoryType>> = {
  semantic_memory: 'semantic',
  episodic_memory: 'episodic',
  procedural_memory: 'procedural',
};

export interface Mem0Fields {
  text: unknown;
  /** As found (validated later with engram's scope rules). */
  userId: unknown;
  agentId: unknown;
  runId: unknown;
  actorId: string | null;
  role: string | null;
  /** Normalised (mem0-time.ts); null when absent or not a time. */
  createdAt: string | null;
  updatedAt: string | null;
  /** mem0 keeps no type for most memories: they are facts it distilled. */
  memoryType: MemoryType;
  categories: string[];
  metadata: Record<string, unknown>;
}

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const pick = (payload: Record<string, unknown>, ...keys: string[]): unknown => {
  for (const key of keys) if (payload[key] !== undefined && payload[key] !== null) return payload[key];
  return undefined;
};

export function readPayload(payload: Record<string, unknown>): Mem0Fields {
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) if (!OWN_KEYS.has(key)) metadata[key] = value;
  const agentId = pick(payload, 'agent_id', 'agentId');
  let memoryType: MemoryType = 'semantic';
  const type = typeof metadata.memory_type === 'string' ? MEMORY_TYPES[metadata.memory_type] : undefined;
  // engram keeps procedural memories for agents only; without one the key stays metadata.
  if (type !== undefined && (type !== 'procedural' || agentId !== undefined)) {
    memoryType = type;
    delete metadata.memory_type;
  }
  let categories: string[] = [];
  if (Array.isArray(metadata.categories) && metadata.categories.every((c) => typeof c === 'string')) {
    categories = metadata.categories as string[];
    delete metadata.categories;
  }
  return {
    text: payload.data,
    userId: pick(payload, 'user_id', 'userId'),
    agentId,
    runId: pick(payload, 'run_id', 'runId'),
    actorId: text(pick(payload, 'actor_id', 'actorId')),
    role: text(payload.role),
    createdAt: normalizeTime(pick(payload, 'createdAt', 'created_at')),
    updatedAt: normalizeTime(pick(payload, 'updatedAt', 'updated_at')),
    memoryType,
    categories,
    metadata,
  };
}

/**
 * mem0 (TypeScript, v3) keeps an entity index in a second collection (`<name>_entities`,
 * vector_store_entities.db): records that name an entity and the memories it links, not memories.
 */
export function isEntityRecord(payload: Record<string, unknown>): boolean {
  return (
    Array.isArray(payload.linkedMemoryIds) || (payload.entityType !== undefined && payload.hash === undefined)
  );
}
