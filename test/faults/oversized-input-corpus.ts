import { DEFAULT_LIMITS } from '../../src/config/engram-config.js';

/**
 * Input that could exhaust memory, the stack or the database, or that is simply wrong, as one
 * table. Each case is an operation with one bad part; test/faults/oversized-input.test.ts carries
 * it over every front end (native REST, the mem0 platform routes, MCP, the CLI) and expects a
 * refusal that names the problem, with nothing written. To add a case, add a row.
 *
 * The limits are the config defaults (docs/architecture.md, "Input limits"); each input passes
 * its limit by a small margin, so a case fails if a limit is loosened or no longer checked.
 */
export type FrontEnd = 'rest' | 'platform' | 'mcp' | 'cli';

export interface Message {
  role: string;
  content: string;
}

/** The one operation a case sends; `extra` is added to the body (REST, MCP) or as `--<name> <json>` (CLI). */
export type Operation =
  | {
      op: 'add';
      messages: string | Message[];
      metadata?: unknown;
      /** REST `event_time`, CLI `--event-time`; the platform's `timestamp` takes a number only. */
      eventTime?: string | number;
      extra?: Record<string, unknown>;
    }
  | { op: 'search'; query: string; filters?: unknown; asOf?: string; extra?: Record<string, unknown> }
  | { op: 'update'; text?: string; metadata?: unknown; eventTime?: string; extra?: Record<string, unknown> };

export interface InputCase {
  name: string;
  operation: Operation;
  /** The error code (REST body, MCP payload); the CLI prints the message only. */
  code: string;
  /** What the message must say: the limit's config key, the field, the option. */
  says: RegExp;
  /** HTTP status (default 400). */
  status?: number;
  /** Where a front end answers differently but still clearly (its own code or words). */
  per?: Partial<Record<FrontEnd, { code?: string; says?: RegExp; status?: number }>>;
  /** Front ends where the input is fine by design, and why (listed in the report, never silently skipped). */
  notApplicable?: Partial<Record<FrontEnd, string>>;
  /**
   * Front ends that accept this input today although they should not. Each runs as an expected
   * failure (`it.fails`), so the fix turns it into a failing test to flip, not a silent pass.
   */
  knownGaps?: Partial<Record<FrontEnd, string>>;
}

const L = DEFAULT_LIMITS;

function nestedObject(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < levels; i++) value = { next: value };
  return value;
}

function nestedNot(levels: number): Record<string, unknown> {
  let filter: Record<string, unknown> = { topic: 'a' };
  for (let i = 0; i < levels; i++) filter = { NOT: filter };
  return filter;
}

const messages = (n: number): Message[] =>
  Array.from({ length: n }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: `line ${i}` }));

export const INPUT_CASES: InputCase[] = [
  {
    name: 'text one character over maxTextChars',
    operation: { op: 'add', messages: 'x'.repeat(L.maxTextChars + 1) },
    code: 'text_too_long',
    says: /limits\.maxTextChars/,
  },
  {
    name: 'a search query over maxTextChars',
    operation: { op: 'search', query: 'q'.repeat(L.maxTextChars + 1) },
    code: 'text_too_long',
    says: /limits\.maxTextChars/,
  },
  {
    name: 'an update text over maxTextChars',
    operation: { op: 'update', text: 'u'.repeat(L.maxTextChars + 1) },
    code: 'text_too_long',
    says: /limits\.maxTextChars/,
  },
  {
    name: 'a body over the server’s --max-body (2 MiB of text)',
    operation: { op: 'add', messages: 'y'.repeat(2 * 1024 * 1024) },
    code: 'text_too_long',
    says: /limits\.maxTextChars/,
    status: 400,
    // HTTP refuses the body before reading it; MCP (in-memory) and the CLI reach the text limit.
    per: {
      rest: { status: 413, code: 'payload_too_large', says: /larger than \d+ bytes/ },
      platform: { status: 413, code: 'payload_too_large', says: /larger than \d+ bytes/ },
    },
  },
  {
    name: 'more messages than maxMessages',
    operation: { op: 'add', messages: messages(L.maxMessages + 1) },
    code: 'invalid_input',
    says: /limits\.maxMessages/,
  },
  {
    name: 'metadata nested past maxMetadataDepth',
    operation: { op: 'add', messages: 'likes coffee', metadata: nestedObject(L.maxMetadataDepth + 1) },
    code: 'invalid_input',
    says: /limits\.maxMetadataDepth/,
  },
  {
    name: 'metadata nested 1,100 deep (past SQLite’s JSON depth of 1,000)',
    operation: { op: 'add', messages: 'likes coffee', metadata: nestedObject(1_100) },
    code: 'invalid_input',
    says: /limits\.maxMetadataDepth/,
  },
  {
    name: 'metadata over maxMetadataBytes',
    operation: { op: 'add', messages: 'likes coffee', metadata: { blob: 'm'.repeat(L.maxMetadataBytes) } },
    code: 'invalid_input',
    says: /limits\.maxMetadataBytes/,
  },
  {
    name: 'update metadata nested past maxMetadataDepth',
    operation: { op: 'update', metadata: nestedObject(L.maxMetadataDepth + 1) },
    code: 'invalid_input',
    says: /limits\.maxMetadataDepth/,
  },
  {
    name: 'an `in` list one value over maxFilterList',
    operation: {
      op: 'search',
      query: 'tea',
      filters: { topic: { in: Array.from({ length: L.maxFilterList + 1 }, (_, i) => `t${i}`) } },
    },
    code: 'invalid_filter',
    says: /limits\.maxFilterList/,
  },
  {
    name: 'a filter nested past maxFilterDepth',
    operation: { op: 'search', query: 'tea', filters: nestedNot(L.maxFilterDepth + 1) },
    code: 'invalid_filter',
    says: /limits\.maxFilterDepth/,
  },
  {
    name: 'a filter with more conditions than maxFilterNodes',
    operation: {
      op: 'search',
      query: 'tea',
      filters: { OR: Array.from({ length: L.maxFilterNodes + 1 }, (_, i) => ({ topic: `t${i}` })) },
    },
    code: 'invalid_filter',
    says: /limits\.maxFilterNodes/,
  },
  {
    name: 'a filter key nested past maxMetadataDepth',
    operation: {
      op: 'search',
      query: 'tea',
      filters: { [`metadata.${Array.from({ length: L.maxMetadataDepth + 1 }, () => 'a').join('.')}`]: 1 },
    },
    code: 'invalid_filter',
    says: /limits\.maxMetadataDepth/,
  },
  {
    name: 'an unknown filter operator',
    operation: { op: 'search', query: 'tea', filters: { topic: { regex: '.*' } } },
    code: 'invalid_filter',
    says: /unsupported operator "regex"/,
  },
  {
    name: 'a filter on a field that cannot be filtered',
    operation: { op: 'search', query: 'tea', filters: { hash: 'abc' } },
    code: 'invalid_filter',
    says: /field "hash" cannot be filtered/,
  },
  {
    name: 'an event time in free text',
    operation: { op: 'add', messages: 'likes coffee', eventTime: 'May 8, 2023' },
    code: 'invalid_input',
    says: /ISO 8601/,
  },
  {
    name: 'an event time in epoch microseconds (past the year 2200)',
    operation: { op: 'add', messages: 'likes coffee', eventTime: 1_700_000_000_000_000 },
    code: 'invalid_input',
    says: /2200/,
  },
  {
    name: 'an as_of year past 9999',
    operation: { op: 'search', query: 'tea', asOf: '+010000-01-01T00:00:00Z' },
    code: 'invalid_input',
    says: /as_?[oO]f/,
  },
  {
    name: 'an update event time in free text',
    operation: { op: 'update', text: 'likes green tea', eventTime: 'next Tuesday' },
    code: 'invalid_input',
    says: /ISO 8601/,
  },
  {
    name: 'a user id over 256 characters',
    operation: { op: 'add', messages: 'likes coffee', extra: { user_id: 'u'.repeat(257) } },
    code: 'invalid_input',
    says: /256/,
  },
  {
    name: 'an unknown field next to the known ones (a misspelt `metadata`)',
    operation: { op: 'add', messages: 'likes coffee', extra: { metdata: { topic: 'drinks' } } },
    code: 'invalid_input',
    says: /metdata/,
    per: { cli: { says: /unknown option '--metdata'/ }, mcp: { code: 'invalid_params' } },
    notApplicable: {
      platform: 'mem0 platform bodies are loose by design: mem0 clients send fields engram does not use',
    },
    knownGaps: {},
  },
];
