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
  valid_from: 'v.valid_from',
  importance: 'm.importance',
  memory_type: 'm.memory_type',
  categories: 'm.categories',
};

function bindable(value: JsonValue): SqlParam {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  return JSON.stringify(value);
}

function jsonPath(segments: string[]): string {
  return `$${segments.map((s) => `."${s.replaceAll('"', '""')}"`).join('')}`;
}

/** Compiles a filter tree to a parameterised WHERE fragment over `memories m` joined to the version `v` it shows. */
export function compileFilter(node: FilterNode): SqlFragment {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.children.length === 0) return { sql: node.kind === 'and' ? '1' : '0', params: [] };
      const parts = node.children.map(compileFilter);
      return {
        sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`,
        params: parts.flatMap((p) => p.params),
      };
    }
    case 'not': {
      const inner = compileFilter(node.child);
      return { sql: `(NOT COALESCE(${inner.sql}, 0))`, params: inner.params };
    }
    case 'scope':
      return { sql: `m.${node.field} = ?`, params: [node.value] };
    case 'field':
      if (node.field === 'categories') return compileComparison('m.categories', node.op, node.value, true);
      return compileComparison(RECORD_COLUMN[node.field], node.op, node.value, false);
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
      const list = (value as JsonValue[]).map(bindable);
      const marks = list.map(() => '?').join(', ');
      return op === 'in'
        ? { sql: `${expr} IN (${marks})`, params: list }
        : { sql: `(${expr} IS NULL OR ${expr} NOT IN (${marks}))`, params: list };
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
    default:
      throw new Error(`unreachable operator ${op}`);
  }
}
