import { DEFAULT_LIMITS, type LimitsConfig } from '../../config/engram-config.js';
import {
  COMPARISON_OPERATORS,
  type ComparisonOperator,
  type Filter,
  type FilterNode,
  RECORD_FIELDS,
  type RecordField,
  SCOPE_FIELDS,
  type ScopeField,
} from '../../spec/filter.js';
import { MemoryError } from '../../spec/memory-error.js';
import type { JsonValue } from '../../spec/memory-record.js';

/** The limits a filter is checked against (config `limits`; see docs/architecture.md). */
export type FilterLimits = Pick<
  LimitsConfig,
  'maxFilterDepth' | 'maxFilterNodes' | 'maxFilterList' | 'maxMetadataDepth'
>;

/** One parse: the limits, and how many conditions and operators have been read so far. */
interface ParseState {
  limits: FilterLimits;
  nodes: number;
}

const LOGICAL = new Set(['AND', 'OR', 'NOT', 'and', 'or', 'not']);
const KEY_SEGMENT = /^[A-Za-z0-9_\-$@ ]{1,64}$/;
const RESERVED = new Set(['id', 'memory', 'text', 'hash', 'state', 'tenant', 'valid_to']);

function fail(message: string, path: string, details: Record<string, unknown> = {}): never {
  throw new MemoryError('invalid_filter', `Invalid filter at ${path || 'the top level'}: ${message}`, {
    details: { path, ...details },
  });
}

/** A filter over one of the `limits`: the message names the limit and its config key. */
function overLimit(
  limit: keyof FilterLimits,
  state: ParseState,
  what: string,
  fix: string,
  path: string,
): never {
  const max = state.limits[limit];
  fail(`${what}; the limit is ${max} (config limits.${limit}). ${fix}`, path, { limit, max });
}

/** Counts `count` conditions or operators, failing as soon as the filter has too many. */
function countNodes(state: ParseState, path: string, count = 1): void {
  state.nodes += count;
  if (state.nodes > state.limits.maxFilterNodes) {
    overLimit(
      'maxFilterNodes',
      state,
      `more than ${state.limits.maxFilterNodes} conditions and AND/OR/NOT operators`,
      'Use one {"in": [...]} condition instead of many equalities, or split the query.',
      path,
    );
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * Turns a mem0-style filter object into the normalised tree the stores compile.
 * Every unknown operator or field is an error that names it; nothing is silently ignored.
 * Depth, size and list lengths are checked while parsing, and parsing stops at the first limit
 * passed, so a hostile filter costs at most the limits' worth of work and stack.
 */
export function parseFilter(
  filter: Filter | undefined | null,
  limits: FilterLimits = DEFAULT_LIMITS,
): FilterNode | null {
  if (filter === undefined || filter === null) return null;
  if (!isPlainObject(filter)) fail('a filter must be an object such as {"user_id": "alice"}', '');
  const node = parseObject(filter, '', 0, { limits, nodes: 0 });
  return node.kind === 'and' && node.children.length === 0 ? null : node;
}

function parseObject(
  filter: Record<string, unknown>,
  path: string,
  depth: number,
  state: ParseState,
): FilterNode {
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (value === undefined) continue;
    const here = path ? `${path}.${key}` : key;
    if (LOGICAL.has(key)) {
      children.push(parseLogical(key.toUpperCase() as 'AND' | 'OR' | 'NOT', value, here, depth + 1, state));
    } else if (key === 'metadata' && isPlainObject(value) && !isOperatorObject(value)) {
      for (const [metaKey, metaValue] of Object.entries(value)) {
        children.push(parseField(`metadata.${metaKey}`, metaValue, `${here}.${metaKey}`, state));
      }
    } else {
      children.push(parseField(key, value, here, state));
    }
  }
  return children.length === 1 ? children[0]! : { kind: 'and', children };
}

/** `depth`: how many AND/OR/NOT operators enclose this one's entries, itself included. */
function parseLogical(
  op: 'AND' | 'OR' | 'NOT',
  value: unknown,
  path: string,
  depth: number,
  state: ParseState,
): FilterNode {
  if (depth > state.limits.maxFilterDepth) {
    overLimit(
      'maxFilterDepth',
      state,
      `AND/OR/NOT nested more than ${state.limits.maxFilterDepth} levels deep`,
      'Flatten the filter: AND of ANDs is one AND, NOT of NOT is the condition itself.',
      path,
    );
  }
  countNodes(state, path);
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) fail(`${op} needs at least one condition`, path);
  // Every entry is at least one condition: a list that cannot fit fails before it is read.
  if (state.nodes + items.length > state.limits.maxFilterNodes) countNodes(state, path, items.length);
  const children = items.map((item, i) => {
    if (!isPlainObject(item)) fail(`each ${op} entry must be an object`, `${path}[${i}]`);
    return parseObject(item, `${path}[${i}]`, depth, state);
  });
  if (op === 'NOT') {
    return { kind: 'not', child: children.length === 1 ? children[0]! : { kind: 'and', children } };
  }
  return { kind: op === 'AND' ? 'and' : 'or', children };
}

function isOperatorObject(value: Record<string, unknown>): boolean {
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((k) => (COMPARISON_OPERATORS as readonly string[]).includes(k));
}

function parseField(key: string, condition: unknown, path: string, state: ParseState): FilterNode {
  const conditions = normaliseCondition(condition, path);
  const nodes = conditions.map(([op, value]) => fieldNode(key, op, value, path, state));
  return nodes.length === 1 ? nodes[0]! : { kind: 'and', children: nodes };
}

function normaliseCondition(condition: unknown, path: string): [ComparisonOperator, JsonValue][] {
  if (isPlainObject(condition)) {
    const entries = Object.entries(condition);
    if (entries.length === 0) fail('an empty condition object; write {"eq": value} or a plain value', path);
    return entries.map(([op, value]) => {
      if (!(COMPARISON_OPERATORS as readonly string[]).includes(op)) {
        fail(`unsupported operator "${op}"; supported: ${COMPARISON_OPERATORS.join(', ')}`, path);
      }
      return [op as ComparisonOperator, value as JsonValue];
    });
  }
  if (Array.isArray(condition)) fail('a list needs an operator, e.g. {"in": [...]}', path);
  return [['eq', condition as JsonValue]];
}

function checkValue(op: ComparisonOperator, value: JsonValue, path: string, state: ParseState): void {
  if (op === 'in' || op === 'nin') {
    if (Array.isArray(value) && value.length > state.limits.maxFilterList) {
      overLimit(
        'maxFilterList',
        state,
        `"${op}" has ${value.length} values`,
        'Split the list over several requests, or filter on a metadata field the values share.',
        path,
      );
    }
    if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) {
      fail(`"${op}" takes a non-empty list of strings, numbers or booleans`, path);
    }
    return;
  }
  if (!isScalar(value)) fail(`"${op}" takes a string, number, boolean or null`, path);
  if (['gt', 'gte', 'lt', 'lte'].includes(op) && (value === null || typeof value === 'boolean')) {
    fail(`"${op}" takes a number or a string (e.g. an ISO date)`, path);
  }
  if (op === 'contains' && (value === null || typeof value === 'object')) {
    fail('"contains" takes a string, number or boolean', path);
  }
  if (op === 'icontains' && typeof value !== 'string') {
    fail('"icontains" takes a string (matched without regard to case)', path);
  }
}

function fieldNode(
  key: string,
  op: ComparisonOperator,
  value: JsonValue,
  path: string,
  state: ParseState,
): FilterNode {
  countNodes(state, path);
  checkValue(op, value, path, state);
  // mem0's wildcard: the field is set, whatever its value.
  const wildcard = op === 'eq' && value === '*';
  if ((SCOPE_FIELDS as readonly string[]).includes(key)) {
    if (wildcard) return { kind: 'anyScope', field: key as ScopeField };
    if (op !== 'eq' || typeof value !== 'string' || value === '') {
      fail(
        `${key} supports equality with a non-empty string only, e.g. {"${key}": "alice"}, or "*" for any ${key}`,
        path,
      );
    }
    return { kind: 'scope', field: key as ScopeField, value };
  }
  if ((RECORD_FIELDS as readonly string[]).includes(key)) {
    return wildcard
      ? { kind: 'field', field: key as RecordField, op: 'ne', value: null }
      : { kind: 'field', field: key as RecordField, op, value };
  }
  if (RESERVED.has(key)) {
    fail(
      `field "${key}" cannot be filtered; filterable fields are ${[...SCOPE_FIELDS, ...RECORD_FIELDS].join(', ')} and metadata keys (write "metadata.${key}" for a metadata key of that name)`,
      path,
    );
  }
  const metaPath = key.startsWith('metadata.') ? key.slice('metadata.'.length) : key;
  const segments = metaPath.split('.');
  if (segments.length > state.limits.maxMetadataDepth) {
    overLimit(
      'maxMetadataDepth',
      state,
      `metadata key "${metaPath.length > 80 ? `${metaPath.slice(0, 80)}…` : metaPath}" has ${segments.length} levels`,
      'Metadata cannot be nested that deep, so no memory could match; shorten the key.',
      path,
    );
  }
  for (const segment of segments) {
    if (!KEY_SEGMENT.test(segment)) {
      fail(
        `metadata key "${metaPath}" has an unsupported character or is empty (letters, digits, _ - $ @ and space)`,
        path,
      );
    }
  }
  return wildcard
    ? { kind: 'meta', path: segments, op: 'ne', value: null }
    : { kind: 'meta', path: segments, op, value };
}
