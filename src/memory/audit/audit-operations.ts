/*
 * What the audit log records of each call, by method name: the operation, whether it reads or
 * writes, and the ids it touched — taken from the call's id arguments and from the ids in its
 * answer, never from text, metadata, queries or filters. One table serves every front end:
 * ScopedMemory (REST, mem0 routes, MCP) and Memory (the CLI) share their method names.
 */

export type AuditKind = 'read' | 'write';

export interface ScopeIds {
  userId: string | null;
  agentId: string | null;
  runId: string | null;
}

export interface CallSpec {
  operation: string;
  kind: AuditKind;
  /** The scope the call names (before the caller's pin is applied). */
  scope?: (args: unknown[]) => Partial<ScopeIds>;
  /** Ids touched or returned. */
  targets?: (args: unknown[], result: unknown) => string[];
  /** Numbers only. */
  counts?: (args: unknown[], result: unknown) => Record<string, number> | null;
  /** The tenant the call acts on, when it names one itself (key administration). */
  tenant?: (args: unknown[], result: unknown) => string | null;
}

/** A table of specs; a nested table describes the methods of an object a getter returns (`graph`). */
export interface CallTable {
  [name: string]: CallSpec | CallTable;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const ids = (items: unknown): string[] =>
  Array.isArray(items) ? items.flatMap((item) => str(record(item).id) ?? []) : [];

/** user/agent/run ids of an options object, camelCase or snake_case. */
export function scopeOf(options: unknown): Partial<ScopeIds> {
  const o = record(options);
  const pick = (camel: string, snake: string) => str(o[camel]) ?? str(o[snake]) ?? null;
  return {
    userId: pick('userId', 'user_id'),
    agentId: pick('agentId', 'agent_id'),
    runId: pick('runId', 'run_id'),
  };
}

const arg =
  (n: number) =>
  (args: unknown[]): string[] => {
    const value = str(args[n]);
    return value === null ? [] : [value];
  };
const scopeArg =
  (n: number) =>
  (args: unknown[]): Partial<ScopeIds> =>
    scopeOf(args[n]);
const resultIds =
  (field: string) =>
  (_args: unknown[], result: unknown): string[] =>
    ids(record(result)[field]);
const numbers = (value: unknown): Record<string, number> | null => {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(record(value)))
    if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return Object.keys(out).length > 0 ? out : null;
};

const byId = (operation: string, kind: AuditKind): CallSpec => ({ operation, kind, targets: arg(0) });

export const AUDITED_CALLS: CallTable = {
  add: {
    operation: 'memory.add',
    kind: 'write',
    scope: scopeArg(1),
    targets: (_args, result) => [...ids(record(result).results), ...(str(record(result).job_id) ?? [])],
  },
  enqueueAdd: {
    operation: 'memory.enqueue',
    kind: 'write',
    scope: scopeArg(1),
    targets: (_args, result) => [str(record(result).job_id) ?? []].flat(),
  },
  search: { operation: 'memory.search', kind: 'read', scope: scopeArg(1), targets: resultIds('results') },
  context: { operation: 'memory.context', kind: 'read', scope: scopeArg(1), targets: resultIds('memories') },
  chat: {
    operation: 'memory.chat',
    kind: 'write',
    scope: scopeArg(1),
    targets: (_args, result) => [
      ...ids(record(result).memories),
      ...ids(record(record(result).remembered).results),
    ],
  },
  getAll: { operation: 'memory.list', kind: 'read', scope: scopeArg(0), targets: resultIds('results') },
  get: byId('memory.get', 'read'),
  versions: byId('memory.versions', 'read'),
  history: byId('memory.history', 'read'),
  update: byId('memory.update', 'write'),
  delete: byId('memory.delete', 'write'),
  updateMany: {
    operation: 'memory.update_many',
    kind: 'write',
    targets: (args) => (Array.isArray(args[0]) ? args[0].flatMap((e) => str(record(e).id) ?? []) : []),
  },
  deleteMany: {
    operation: 'memory.delete_many',
    kind: 'write',
    targets: (args) => (Array.isArray(args[0]) ? args[0].flatMap((id) => str(id) ?? []) : []),
  },
  deleteAll: {
    operation: 'memory.delete_all',
    kind: 'write',
    scope: scopeArg(0),
    counts: (_a, r) => numbers(r),
  },
  deleteEntity: {
    operation: 'memory.delete_all',
    kind: 'write',
    scope: (args) => ({ [`${str(args[0])}Id`]: str(args[1]) }),
    counts: (_a, r) => numbers(r),
  },
  // Erasure: the scope and what went, never the erased ids (docs/security.md).
  erase: { operation: 'memory.erase', kind: 'write', scope: scopeArg(0), counts: (_a, r) => numbers(r) },
  reset: { operation: 'memory.reset', kind: 'write' },
  // Erases expired memories: counts only, like an erasure.
  purgeExpired: { operation: 'memory.purge_expired', kind: 'write', counts: (_a, r) => numbers(r) },
  consolidate: {
    operation: 'memory.consolidate',
    kind: 'write',
    scope: scopeArg(0),
    counts: (_a, r) => numbers(r),
  },
  observe: {
    operation: 'channel.observe',
    kind: 'write',
    targets: (args) => [str(record(args[1]).channelId) ?? []].flat(),
    counts: (_a, r) => numbers(r),
  },
  observationUsage: { operation: 'channel.usage', kind: 'read', targets: arg(0) },
  job: byId('job.get', 'read'),
  getJob: byId('job.get', 'read'),
  jobs: { operation: 'job.list', kind: 'read', targets: resultIds('results') },
  retryJobs: { operation: 'job.retry', kind: 'write', targets: resultIds('results') },
  usage: { operation: 'usage.read', kind: 'read', scope: scopeArg(0) },
  createKey: {
    operation: 'key.create',
    kind: 'write',
    targets: (_args, result) => [str(record(record(result).record).id) ?? []].flat(),
  },
  listKeys: { operation: 'key.list', kind: 'read', targets: (_a, result) => ids(result) },
  revokeKey: byId('key.revoke', 'write'),
  auditLog: { operation: 'audit.list', kind: 'read' },
  graph: {
    entities: { operation: 'graph.entities', kind: 'read', scope: scopeArg(0) },
    relations: { operation: 'graph.relations', kind: 'read', scope: scopeArg(0) },
    neighbors: { operation: 'graph.neighbors', kind: 'read', scope: scopeArg(1) },
    unmerge: { operation: 'graph.unmerge', kind: 'write', scope: scopeArg(1), targets: arg(0) },
  },
  data: {
    erase: { operation: 'memory.erase', kind: 'write', scope: scopeArg(0), counts: (_a, r) => numbers(r) },
    export: { operation: 'memory.export', kind: 'read', scope: (args) => scopeOf(record(args[0]).scope) },
    import: {
      operation: 'memory.import',
      kind: 'write',
      counts: (_a, r) => {
        const kinds = record(r).kinds;
        if (!Array.isArray(kinds)) return null;
        return Object.fromEntries(kinds.map((k) => [String(record(k).kind), Number(record(k).written) || 0]));
      },
    },
  },
  // The CLI's `engram audit`.
  audit: {
    list: { operation: 'audit.list', kind: 'read' },
    purge: { operation: 'audit.purge', kind: 'write', counts: (_a, r) => numbers(r) },
  },
  // The CLI's `engram keys` (each call names its tenant).
  keys: {
    createApiKey: {
      operation: 'key.create',
      kind: 'write',
      targets: (_args, result) => [str(record(result).id) ?? []].flat(),
      tenant: (args) => str(record(args[0]).tenant),
    },
    listApiKeys: {
      operation: 'key.list',
      kind: 'read',
      targets: (_a, result) => ids(result),
      tenant: (args) => str(args[0]),
    },
    revokeApiKey: {
      operation: 'key.revoke',
      kind: 'write',
      targets: arg(1),
      tenant: (args, result) => str(record(result).tenant) ?? str(args[0]),
    },
  },
};
