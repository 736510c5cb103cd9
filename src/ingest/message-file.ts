import type { InputMessage, ScopeOptions } from '../memory/api-types.js';
import { checkText, type InputLimits } from '../memory/validate-input.js';
import { MemoryError } from '../spec/memory-error.js';
import { parseTime } from '../util/parse-time.js';

/*
 * `engram ingest` files: a JSON array of messages, or JSON Lines (one message a line, blank
 * lines skipped). A message: {role, content, name?, user_id?, agent_id?, run_id?, event_time?}.
 * role is user, assistant or system; event_time is ISO 8601 or epoch seconds/ms; the ids replace,
 * one by one, the defaults given on the command line (--user/--agent/--run). Any other field is
 * refused, so a misspelt one is never dropped silently.
 */

const FIELDS = new Set(['role', 'content', 'name', 'user_id', 'agent_id', 'run_id', 'event_time']);
const ROLES = new Set(['user', 'assistant', 'system']);

/** One add: consecutive messages of one scope with the same event_time. */
export interface IngestBatch {
  /** Where its first message is ("line 3" / "message 3"), for errors and reports. */
  where: string;
  scope: { userId?: string; agentId?: string; runId?: string };
  eventTime: string | undefined;
  messages: InputMessage[];
}

export interface IngestPlan {
  messages: number;
  /** Distinct scopes (conversations). */
  scopes: number;
  batches: IngestBatch[];
}

interface Entry {
  where: string;
  value: unknown;
}

function refuse(where: string, why: string): never {
  throw new MemoryError('invalid_input', `${where}: ${why}. Nothing was ingested.`, { details: { where } });
}

function entriesOf(text: string): Entry[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trimStart().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (error) {
      refuse('the file', `not a valid JSON array (${(error as Error).message})`);
    }
    if (!Array.isArray(parsed)) refuse('the file', 'expected a JSON array of messages');
    return parsed.map((value, i) => ({ where: `message ${i + 1}`, value }));
  }
  const entries: Entry[] = [];
  for (const [i, line] of body.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const where = `line ${i + 1}`;
    try {
      entries.push({ where, value: JSON.parse(line) });
    } catch (error) {
      refuse(where, `not valid JSON (${(error as Error).message})`);
    }
  }
  return entries;
}

const optionalId = (raw: Record<string, unknown>, field: string, where: string): string | undefined => {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '') refuse(where, `${field} must be a non-empty string`);
  return v;
};

/**
 * Reads and checks a whole messages file before anything is written, and cuts it into adds:
 * consecutive messages of one scope and one event_time, at most `batchSize` each. A problem
 * names its line (JSON Lines) or message (array), from 1.
 */
export function planIngest(
  text: string,
  defaults: ScopeOptions,
  options: { batchSize: number; limits: InputLimits },
): IngestPlan {
  const entries = entriesOf(text);
  if (entries.length === 0) refuse('the file', 'it holds no messages (give a JSON array or JSON Lines)');
  const batches: IngestBatch[] = [];
  const scopes = new Set<string>();
  let previous: string | undefined;
  for (const { where, value } of entries) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      refuse(where, 'a message must be a JSON object {role, content, ...}');
    }
    const raw = value as Record<string, unknown>;
    const unknown = Object.keys(raw).filter((k) => !FIELDS.has(k));
    if (unknown.length > 0) {
      refuse(
        where,
        `unknown field ${unknown.map((k) => `"${k}"`).join(', ')}; known: ${[...FIELDS].join(', ')}`,
      );
    }
    if (typeof raw.role !== 'string' || !ROLES.has(raw.role)) {
      refuse(where, `role must be "user", "assistant" or "system", got ${JSON.stringify(raw.role)}`);
    }
    let content: string;
    try {
      content = checkText(raw.content, options.limits, 'content');
    } catch (error) {
      refuse(where, (error as Error).message.replace(/\.$/, ''));
    }
    if (raw.name !== undefined && typeof raw.name !== 'string') refuse(where, 'name must be a string');
    const scope = {
      ...(defaults.userId ? { userId: defaults.userId } : {}),
      ...(defaults.agentId ? { agentId: defaults.agentId } : {}),
      ...(defaults.runId ? { runId: defaults.runId } : {}),
    };
    const userId = optionalId(raw, 'user_id', where);
    const agentId = optionalId(raw, 'agent_id', where);
    const runId = optionalId(raw, 'run_id', where);
    if (userId) scope.userId = userId;
    if (agentId) scope.agentId = agentId;
    if (runId) scope.runId = runId;
    if (!scope.userId && !scope.agentId && !scope.runId) {
      refuse(where, 'no scope: give user_id, agent_id or run_id in the message, or --user/--agent/--run');
    }
    let eventTime: string | undefined;
    if (raw.event_time !== undefined) {
      try {
        eventTime = parseTime(raw.event_time as string | number, 'event_time');
      } catch (error) {
        refuse(where, (error as Error).message.replace(/\.$/, ''));
      }
    }
    const message: InputMessage = {
      role: raw.role,
      content,
      ...(typeof raw.name === 'string' ? { name: raw.name } : {}),
    };
    const key = JSON.stringify([scope.userId ?? null, scope.agentId ?? null, scope.runId ?? null]);
    scopes.add(key);
    const groupKey = `${key}|${eventTime ?? ''}`;
    const last = batches.at(-1);
    if (last && previous === groupKey && last.messages.length < options.batchSize)
      last.messages.push(message);
    else batches.push({ where, scope, eventTime, messages: [message] });
    previous = groupKey;
  }
  return { messages: entries.length, scopes: scopes.size, batches };
}
