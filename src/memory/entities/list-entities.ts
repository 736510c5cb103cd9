import type { Store } from '../../spec/store.js';

/** A user, agent or run that has active memories. */
export interface Entity {
  type: 'user' | 'agent' | 'run';
  name: string;
  /** Active memories that name it. */
  total: number;
  /** Creation time of its oldest memory, and last change of its newest. */
  created: string;
  updated: string;
}

/** Narrows the count to the memories of one user and/or agent (a pinned API key's view). */
export interface EntityPin {
  userId?: string | null | undefined;
  agentId?: string | null | undefined;
}

/** Walks the tenant's active memories page by page and counts them per user, agent and run. */
export async function listEntities(store: Store, tenant: string, pin: EntityPin): Promise<Entity[]> {
  const userPin = pin.userId ?? null;
  const agentPin = pin.agentId ?? null;
  const counts = new Map<string, Entity>();
  let cursor: string | undefined;
  do {
    const page = await store.listMemories(tenant, { filter: null, states: ['active'], limit: 1000, cursor });
    for (const m of page.items) {
      if ((userPin !== null && m.userId !== userPin) || (agentPin !== null && m.agentId !== agentPin))
        continue;
      for (const [type, name] of [
        ['user', m.userId],
        ['agent', m.agentId],
        ['run', m.runId],
      ] as const) {
        if (name === null) continue;
        const key = `${type}\u0000${name}`;
        const entry = counts.get(key) ?? { type, name, total: 0, created: m.createdAt, updated: m.updatedAt };
        entry.total += 1;
        if (m.createdAt < entry.created) entry.created = m.createdAt;
        if (m.updatedAt > entry.updated) entry.updated = m.updatedAt;
        counts.set(key, entry);
      }
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return [...counts.values()];
}
