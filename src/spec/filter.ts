import type { JsonValue } from './memory-record.js';

/**
 * The mem0 filter language subset engram accepts.
 *
 *   { user_id: "alice", "metadata.topic": { in: ["food", "travel"] } }
 *   { AND: [ {...}, { OR: [ {...}, {...} ] } ], NOT: {...} }
 *
 * Scope fields (user_id, agent_id, run_id, actor_id) take equality only, or `"*"` (any value).
 * `"*"` on any field matches memories where the field is set; `icontains` is `contains` without
 * regard to case. Any other key is a
 * metadata field, written either bare (`topic`) or prefixed (`metadata.topic`).
 */
export type ComparisonOperator =
  | 'eq'
  | 'ne'
  | 'in'
  | 'nin'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'contains'
  | 'icontains';

export type Condition = JsonValue | Partial<Record<ComparisonOperator, JsonValue>>;

export interface Filter {
  AND?: Filter[];
  OR?: Filter[];
  NOT?: Filter | Filter[];
  [field: string]: Condition | Filter | Filter[] | undefined;
}

/** The normalised tree the stores compile to SQL. */
export type FilterNode =
  | { kind: 'and'; children: FilterNode[] }
  | { kind: 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'scope'; field: ScopeField; value: string }
  /** mem0's `"*"` on a scope field: any value, but one (the field is set). Pins nothing. */
  | { kind: 'anyScope'; field: ScopeField }
  | { kind: 'field'; field: RecordField; op: ComparisonOperator; value: JsonValue }
  | { kind: 'meta'; path: string[]; op: ComparisonOperator; value: JsonValue };

export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  'eq',
  'ne',
  'in',
  'nin',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'icontains',
];
export const SCOPE_FIELDS = ['user_id', 'agent_id', 'run_id', 'actor_id'] as const;
export type ScopeField = (typeof SCOPE_FIELDS)[number];
/** Columns of the memory itself that filters may compare (not metadata). */
export const RECORD_FIELDS = [
  'created_at',
  'updated_at',
  'valid_from',
  'importance',
  'memory_type',
  'categories',
] as const;
export type RecordField = (typeof RECORD_FIELDS)[number];
