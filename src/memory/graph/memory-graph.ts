import type { EntityRecord, GraphScope, GraphStore } from '../../spec/graph.js';
import { MemoryError } from '../../spec/memory-error.js';
import { entityKey } from '../../util/entity-key.js';
import type { ScopeOptions } from '../api-types.js';
import type { MemoryContext } from '../memory-context.js';
import { requireScope, scopeIds } from '../resolve-scope.js';
import { timeWindow } from '../time-window.js';
import { type EntityItem, type RelationDetail, toEntityItem, toRelationDetail } from './graph-items.js';

export interface RelationsOptions extends ScopeOptions {
  /** Only relations of this entity (its name, an alias, or its id). */
  entity?: string | undefined;
  /** World time: the relations that held then (default: those that hold now). */
  asOf?: string | number | Date | undefined;
  /** System time: as engram knew it then. */
  knownAt?: string | number | Date | undefined;
  limit?: number | undefined;
}

export interface NeighborsOptions extends ScopeOptions {
  /** Hops to walk, 1 or 2 (default 1). */
  depth?: number | undefined;
  asOf?: string | number | Date | undefined;
  knownAt?: string | number | Date | undefined;
}

export interface Neighborhood {
  entity: EntityItem;
  /** Entities reached within `depth` hops, nearest first (the entity itself excluded). */
  entities: (EntityItem & { hops: number })[];
  relations: RelationDetail[];
}

/** `memory.graph`: the temporal graph of a scope (docs/graph.md). */
export interface MemoryGraph {
  entities(scope: ScopeOptions): Promise<{ results: EntityItem[] }>;
  relations(options: RelationsOptions): Promise<{ results: RelationDetail[] }>;
  neighbors(entity: string, options: NeighborsOptions): Promise<Neighborhood>;
  /** Undoes the merge of an entity (by id) into another: it stands for itself again. */
  unmerge(entityId: string, scope: ScopeOptions): Promise<void>;
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

export function memoryGraph(ctx: MemoryContext): MemoryGraph {
  const tenant = ctx.tenant;
  const now = () => ctx.engine.now();
  const open = async (scope: ScopeOptions, operation: string) => {
    const ids = requireScope(scopeIds(scope), operation);
    const s = (await ctx.open()).store;
    if (!s.graph) {
      throw new MemoryError('invalid_input', `The ${s.dialect} store keeps no graph.`);
    }
    const graphScope: GraphScope = { userId: ids.userId, agentId: ids.agentId, runId: ids.runId };
    return { graph: s.graph, scope: graphScope };
  };
  return {
    async entities(scope) {
      const { graph, scope: g } = await open(scope, 'graph.entities');
      const found = await graph.entities(tenant, g);
      return { results: found.map(toEntityItem) };
    },
    async relations(options) {
      const { graph, scope: g } = await open(options, 'graph.relations');
      const window = timeWindow(options, now()) ?? {};
      const entityIds =
        options.entity === undefined ? undefined : [(await findEntity(graph, tenant, g, options.entity)).id];
      const relations = await graph.relations(tenant, g, {
        entityIds,
        ...window,
        limit: checkLimit(options.limit),
      });
      return { results: relations.map(toRelationDetail) };
    },
    async neighbors(name, options) {
      const { graph, scope: g } = await open(options, 'graph.neighbors');
      const depth = options.depth ?? 1;
      if (depth !== 1 && depth !== 2) {
        throw new MemoryError('invalid_input', `depth must be 1 or 2, got ${String(depth)}.`);
      }
      const window = timeWindow(options, now()) ?? {};
      const start = await findEntity(graph, tenant, g, name);
      const hopsOf = new Map<string, number>([[start.id, 0]]);
      const relations: RelationDetail[] = [];
      const seen = new Set<string>();
      let frontier = [start.id];
      for (let hop = 1; hop <= depth && frontier.length > 0; hop++) {
        const touching = await graph.relations(tenant, g, {
          entityIds: frontier,
          ...window,
          limit: MAX_LIMIT,
        });
        const next: string[] = [];
        for (const r of touching) {
          if (seen.has(r.id)) continue;
          seen.add(r.id);
          relations.push(toRelationDetail(r));
          for (const end of [r.source.id, r.destination.id]) {
            if (!hopsOf.has(end)) {
              hopsOf.set(end, hop);
              next.push(end);
            }
          }
        }
        frontier = next;
      }
      const all = new Map((await graph.entities(tenant, g)).map((e) => [e.id, e]));
      const entities = [...hopsOf]
        .filter(([id]) => id !== start.id && all.has(id))
        .sort((a, b) => a[1] - b[1])
        .map(([id, hops]) => ({ ...toEntityItem(all.get(id)!), hops }));
      return { entity: toEntityItem(start), entities, relations };
    },
    async unmerge(entityId, scope) {
      const { graph, scope: g } = await open(scope, 'graph.unmerge');
      await graph.unmergeEntity(tenant, g, entityId, now());
    },
  };
}

/** An entity of the scope by id, name or alias (merges resolved); not_found says where to look. */
async function findEntity(
  graph: GraphStore,
  tenant: string,
  scope: GraphScope,
  nameOrId: string,
): Promise<EntityRecord> {
  const byName = await graph.findEntities(tenant, scope, [entityKey(nameOrId)]);
  if (byName[0]) return byName[0];
  const byId = (await graph.entities(tenant, scope)).find((e) => e.id === nameOrId);
  if (byId) return byId;
  throw new MemoryError('not_found', `No entity named "${nameOrId}" in this scope's graph.`, {
    details: { entity: nameOrId },
    hint: 'list_entities',
  });
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new MemoryError(
      'invalid_input',
      `limit must be an integer from 1 to ${MAX_LIMIT}, got ${String(limit)}.`,
    );
  }
  return limit;
}
