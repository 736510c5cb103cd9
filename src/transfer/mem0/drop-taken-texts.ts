import type { FilterNode } from '../../spec/filter.js';
import type { Store } from '../../spec/store.js';
import type { MemoryBundle } from '../../spec/store-transfer.js';
import type { BuiltMemory } from './build-bundle.js';
import type { Mem0Skip } from './mem0-records.js';

/**
 * engram holds one active memory per text and scope: a memory of the source whose text the target
 * already holds in that scope under another id is skipped (and named), not imported over it.
 */
export async function dropTakenTexts(
  store: Store,
  memories: BuiltMemory[],
  skipped: Mem0Skip[],
): Promise<BuiltMemory[]> {
  const kept: BuiltMemory[] = [];
  for (const memory of memories) {
    const b = memory.bundle;
    if (b.state === 'active') {
      const hash = b.versions.find((v) => v.version === b.version)!.hash;
      const found = await store.findByHash(b.tenant, exactScope(b), hash);
      if (found !== null && found.id !== b.id) {
        skipped.push({
          code: 'text_taken',
          id: b.id,
          source: 'target',
          reason: `engram already holds memory ${found.id} with the same text in the same scope`,
        });
        continue;
      }
    }
    kept.push(memory);
  }
  return kept;
}

function exactScope(b: MemoryBundle): FilterNode {
  const fields = [
    ['user_id', b.userId],
    ['agent_id', b.agentId],
    ['run_id', b.runId],
  ] as const;
  return {
    kind: 'and',
    children: fields.map(
      ([field, value]): FilterNode =>
        value === null
          ? { kind: 'not', child: { kind: 'anyScope', field } }
          : { kind: 'scope', field, value },
    ),
  };
}
