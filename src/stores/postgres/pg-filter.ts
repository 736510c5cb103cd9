import type { ComparisonOperator, FilterNode, RecordField } from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';
import { cat, param, type SqlFragment } from './pg-sql.js';

const TIME_FIELDS = new Set<RecordField>(['created_at', 'updated_at', 'valid_from']);

function joinBalanced(parts: SqlFragment[], operator: 'AND' | 'OR'): SqlFragment {
  if (parts.length === 1) return parts[0]!;
  const half = Math.ceil(parts.length / 2);
  const left = joinBalanced(parts.slice(0, half), operator);
  const right = joinBalanced(parts.slice(half), operator);
  return { sql: `(${left.sql} ${operator} ${right.sql})`, params: [...left.params, ...right.params] };
}

function refuse(field: string, why: string): never {
  throw new MemoryError('invalid_filter', `Filter on ${field}: ${why}.`, { details: { field } });
}

/**
 * Compiles a filter tree to a parameterised WHERE fragment over `memories m` (view 'current') or
 * `m` joined to the version `v` a window selected (view 'version'). Semantics match the SQLite
 * store's, typed the PostgreSQL way: times compare as instants, metadata values as jsonb (a range
 * operator compares numbers with numbers and strings with strings; other pairs never match).
 * Depth stays logarithmic in the number of conditions (balanced AND/OR).
 */
export function compileFilter(node: FilterNode, view: 'current' | 'version' = 'current'): SqlFragment {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.children.length === 0) return { sql: node.kind === 'and' ? 'TRUE' : 'FALSE', params: [] };
      return joinBalanced(
        node.children.map((child) => compileFilter(child, view)),
        node.kind === 'and' ? 'AND' : 'OR',
      );
    }
    case 'not': {
      const inner = compileFilter(node.child, view);
      return { sql: `(NOT COALESCE(${inner.sql}, FALSE))`, params: inner.params };
    }
    case 'scope':
      return { sql: `m.${node.field} = ?`, params: [node.value] };
    case 'anyScope':
      return { sql: `m.${node.field} IS NOT NULL`, params: [] };
    case 'field':
      return recordField(node.field, node.op, node.value, view);
    case 'meta':
      return metadataField(node.path, node.op, node.value);
  }
}

function recordField(
  field: RecordField,
  op: ComparisonOperator,
  value: JsonValue,
  view: 'current' | 'version',
): SqlFragment {
  if (field === 'categories') {
    if (op === 'contains') return { sql: 'm.categories @> ?::jsonb', params: [JSON.stringify([value])] };
    if (op === 'icontains') {
      return {
        sql: 'EXISTS (SELECT 1 FROM jsonb_array_elements_text(m.categories) AS e(x) WHERE lower(e.x) = lower(?))',
        params: [String(value)],
      };
    }
    return jsonComparison({ sql: 'm.categories', params: [] }, op, value);
  }
  if (TIME_FIELDS.has(field)) {
    const column = view === 'version' && field === 'valid_from' ? 'v.valid_from' : `m.${field}`;
    return scalarComparison(column, op, value, '::timestamptz', (v) => instant(field, v));
  }
  if (field === 'importance') {
    return scalarComparison('m.importance', op, value, '::double precision', (v) => {
      if (typeof v !== 'number')
        refuse(field, `compare it with a number between 0 and 1, not ${JSON.stringify(v)}`);
      return v;
    });
  }
  return scalarComparison(`m.${field}`, op, value, '::text', (v) => {
    if (typeof v !== 'string') refuse(field, `compare it with a string, not ${JSON.stringify(v)}`);
    return v;
  });
}

/** An ISO 8601 instant, normalised; anything else is refused (a time column compares as time). */
function instant(field: string, v: JsonValue): string {
  const ms = typeof v === 'string' && /^\d{4}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms))
    refuse(
      field,
      `compare it with an ISO 8601 time such as "2024-05-01T00:00:00Z", not ${JSON.stringify(v)}`,
    );
  return new Date(ms).toISOString();
}

/** A typed column against scalar values (converted and checked by `convert`). */
function scalarComparison(
  column: string,
  op: ComparisonOperator,
  value: JsonValue,
  cast: string,
  convert: (v: JsonValue) => unknown,
): SqlFragment {
  switch (op) {
    case 'eq':
      return value === null
        ? { sql: `${column} IS NULL`, params: [] }
        : { sql: `${column} = ?${cast}`, params: [convert(value)] };
    case 'ne':
      return value === null
        ? { sql: `${column} IS NOT NULL`, params: [] }
        : { sql: `(${column} IS NULL OR ${column} <> ?${cast})`, params: [convert(value)] };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { sql: `${column} ${RANGE[op]} ?${cast}`, params: [convert(value)] };
    case 'in':
    case 'nin': {
      const list = (value as JsonValue[]).map(convert);
      return op === 'in'
        ? { sql: `${column} = ANY(?${cast}[])`, params: [list] }
        : { sql: `(${column} IS NULL OR NOT (${column} = ANY(?${cast}[])))`, params: [list] };
    }
    case 'contains':
      return { sql: `strpos(${column}::text, ?) > 0`, params: [String(value)] };
    case 'icontains':
      return { sql: `strpos(lower(${column}::text), lower(?)) > 0`, params: [String(value)] };
  }
}

const RANGE = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** A metadata value at `path`: missing and JSON null both count as null, as in the SQLite store. */
function metadataField(path: string[], op: ComparisonOperator, value: JsonValue): SqlFragment {
  const at = cat('(m.metadata #> ', param(path, '::text[]'), ')');
  if (op === 'icontains') {
    return cat(
      '(CASE jsonb_typeof(',
      at,
      ") WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements_text(",
      at,
      ') AS e(x) WHERE lower(e.x) = lower(',
      param(String(value)),
      ")) WHEN 'string' THEN strpos(lower(",
      at,
      " #>> '{}'), lower(",
      param(String(value)),
      ')) > 0 ELSE FALSE END)',
    );
  }
  if (op === 'contains') {
    return cat(
      '(CASE jsonb_typeof(',
      at,
      ") WHEN 'array' THEN ",
      at,
      ' @> ',
      param(JSON.stringify([value]), '::jsonb'),
      " WHEN 'string' THEN strpos(",
      at,
      " #>> '{}', ",
      param(String(value)),
      ') > 0 ELSE FALSE END)',
    );
  }
  return jsonComparison(at, op, value);
}

/** A jsonb expression against JSON values; SQL NULL and JSON null are both "null". */
function jsonComparison(e: SqlFragment, op: ComparisonOperator, value: JsonValue): SqlFragment {
  const isNull = cat('(', e, ' IS NULL OR ', e, " = 'null'::jsonb)");
  switch (op) {
    case 'eq':
      return value === null ? isNull : cat(e, ' = ', param(json(value), '::jsonb'));
    case 'ne':
      return value === null
        ? cat('(NOT ', isNull, ')')
        : cat('(', isNull, ' OR ', e, ' <> ', param(json(value), '::jsonb'), ')');
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return cat(
        '(jsonb_typeof(',
        e,
        ') = ',
        param(typeof value === 'number' ? 'number' : 'string'),
        ' AND ',
        e,
        ` ${RANGE[op]} `,
        param(json(value), '::jsonb'),
        ')',
      );
    case 'in':
      return cat(e, ' = ANY(', param((value as JsonValue[]).map(json), '::jsonb[]'), ')');
    case 'nin':
      return cat(
        '(',
        isNull,
        ' OR NOT (',
        e,
        ' = ANY(',
        param((value as JsonValue[]).map(json), '::jsonb[]'),
        ')))',
      );
    case 'contains':
      return cat(e, ' @> ', param(JSON.stringify([value]), '::jsonb'));
    case 'icontains':
      return cat(
        'EXISTS (SELECT 1 FROM jsonb_array_elements_text(',
        e,
        ') AS e(x) WHERE lower(e.x) = lower(',
        param(String(value)),
        '))',
      );
  }
}

function json(value: JsonValue): string {
  return JSON.stringify(value);
}
