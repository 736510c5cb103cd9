import type { FilterNode, RecordField } from '../../spec/filter.js';
import type { JsonValue } from '../../spec/memory-record.js';

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}
export type SqlParam = string | number | bigint | null | Buffer;

const RECORD_COLUMN: Record<RecordField, string> = {
  created_at: 'm.created_at',
  updated_at: 'm.updated_at',
  // The current view reads memories alone (m.valid_from is the current version's); a window
  // reads the version it selected. See compileFilter's `view`.
  valid_from: 'm.valid_from',
  importance: 'm.importance',
  memory_type: 'm.memory_type',
  categories: 'm.categories',
};

const TIME_FIELDS = new Set<RecordField>(['created_at', 'updated_at', 'valid_from']);

/**
 * Times are stored as `toISOString()` text and compared as text, so a time given in another ISO
 * form ("…T00:00:00Z", "+02:00") is rewritten to that form first; otherwise "…00Z" would sort
 * after "…00.000Z" of the same instant. Values that are not times are compared as given.
 */
function asStoredTime(value: JsonValue): JsonValue {
  const normalise = (v: JsonValue): JsonValue => {
    if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(v)) return v;
    const ms = Date.parse(v);
    return Number.isNaN(ms) ? v : new Date(ms).toISOString();
  };
  return Array.isArray(value) ? value.map(normalise) : normalise(value);
}

function bindable(value: JsonValue): SqlParam {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  return JSON.stringify(value);
}

function jsonPath(segments: string[]): string {
  return `$${segments.map((s) => `."${s.replaceAll('"', '""')}"`).join('')}`;
}

/**
 * Joins parts with AND / OR as a balanced tree of parentheses. SQLite parses `a OR b OR c …`
 * into a chain as deep as the list is long and refuses expressions deeper than 1,000; balanced,
 * 1,000 conditions are 10 levels.
 */
function joinBalanced(parts: SqlFragment[], operator: 'AND' | 'OR'): SqlFragment {
  if (parts.length === 1) return parts[0]!;
  const half = Math.ceil(parts.length / 2);
  const left = joinBalanced(parts.slice(0, half), operator);
  const right = joinBalanced(parts.slice(half), operator);
  return { sql: `(${left.sql} ${operator} ${right.sql})`, params: [...left.params, ...right.params] };
}

/**
 * Compiles a filter tree to a parameterised WHERE fragment over `memories m` (view 'current'),
 * or over `m` joined to the version `v` a time window selected (view 'version': `valid_from` is
 * that version's). The SQL text depends only on the filter's shape, never on the values (an
 * `in` list is one JSON parameter), so the statement cache sees few distinct texts.
 */
export function compileFilter(node: FilterNode, view: 'current' | 'version' = 'current'): SqlFragment {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.children.length === 0) return { sql: node.kind === 'and' ? '1' : '0', params: [] };
      return joinBalanced(
        node.children.map((child) => compileFilter(child, view)),
        node.kind === 'and' ? 'AND' : 'OR',
      );
    }
    case 'not': {
      const inner = compileFilter(node.child, view);
      return { sql: `(NOT COALESCE(${inner.sql}, 0))`, params: inner.params };
    }
    case 'scope':
      return { sql: `m.${node.field} = ?`, params: [node.value] };
    case 'anyScope':
      return { sql: `m.${node.field} IS NOT NULL`, params: [] };
    case 'field':
      if (node.field === 'categories') return compileComparison('m.categories', node.op, node.value, true);
      return compileComparison(
        view === 'version' && node.field === 'valid_from' ? 'v.valid_from' : RECORD_COLUMN[node.field],
        node.op,
        TIME_FIELDS.has(node.field) ? asStoredTime(node.value) : node.value,
        false,
      );
    case 'meta': {
      const path = jsonPath(node.path);
      return compileComparison(
        `json_extract(m.metadata, '${path.replaceAll("'", "''")}')`,
        node.op,
        node.value,
        {
          metadataPath: path,
        },
      );
    }
  }
}

/**
 * `arrayColumn` true: the column holds a JSON array (contains = membership).
 * For metadata, `contains` means membership when the value is an array and substring when it is text.
 */
function compileComparison(
  expr: string,
  op: string,
  value: JsonValue,
  arrayColumn: boolean | { metadataPath: string },
): SqlFragment {
  const v = bindable(value);
  switch (op) {
    case 'eq':
      return value === null ? { sql: `${expr} IS NULL`, params: [] } : { sql: `${expr} = ?`, params: [v] };
    case 'ne':
      return value === null
        ? { sql: `${expr} IS NOT NULL`, params: [] }
        : { sql: `(${expr} IS NULL OR ${expr} <> ?)`, params: [v] };
    case 'gt':
      return { sql: `${expr} > ?`, params: [v] };
    case 'gte':
      return { sql: `${expr} >= ?`, params: [v] };
    case 'lt':
      return { sql: `${expr} < ?`, params: [v] };
    case 'lte':
      return { sql: `${expr} <= ?`, params: [v] };
    case 'in':
    case 'nin': {
      // One parameter whatever the list's length: json_each yields true/false as 1/0 like
      // bindable(), and the column's affinity applies to its values as it did to `?` marks.
      const list = JSON.stringify(value);
      return op === 'in'
        ? { sql: `${expr} IN (SELECT value FROM json_each(?))`, params: [list] }
        : { sql: `(${expr} IS NULL OR ${expr} NOT IN (SELECT value FROM json_each(?)))`, params: [list] };
    }
    case 'contains': {
      if (arrayColumn === true) {
        return { sql: `EXISTS (SELECT 1 FROM json_each(${expr}) WHERE value = ?)`, params: [v] };
      }
      if (arrayColumn === false) return { sql: `instr(${expr}, ?) > 0`, params: [String(v)] };
      const path = arrayColumn.metadataPath.replaceAll("'", "''");
      return {
        sql: `(CASE json_type(m.metadata, '${path}')
          WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(m.metadata, '${path}') WHERE value = ?)
          WHEN 'text' THEN instr(${expr}, ?) > 0 ELSE 0 END)`,
        params: [v, String(v)],
      };
    }
    case 'icontains': {
      // lower() folds ASCII letters only in SQLite (docs/search.md, "Filters").
      if (arrayColumn === true) {
        return {
          sql: `EXISTS (SELECT 1 FROM json_each(${expr}) WHERE lower(value) = lower(?))`,
          params: [v],
        };
      }
      if (arrayColumn === false) return { sql: `instr(lower(${expr}), lower(?)) > 0`, params: [String(v)] };
      const path = arrayColumn.metadataPath.replaceAll("'", "''");
      return {
        sql: `(CASE json_type(m.metadata, '${path}')
          WHEN 'array' THEN EXISTS (SELECT 1 FROM json_each(m.metadata, '${path}') WHERE lower(value) = lower(?))
          WHEN 'text' THEN instr(lower(${expr}), lower(?)) > 0 ELSE 0 END)`,
        params: [v, String(v)],
      };
    }
    default:
      throw new Error(`unreachable operator ${op}`);
  }
}
