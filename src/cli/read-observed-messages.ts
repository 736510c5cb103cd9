import type { ObservedMessage } from '../memory/observe/observe-messages.js';
import { MemoryError } from '../spec/memory-error.js';

/**
 * The messages of `engram observe <file>`: a JSON array, or JSON Lines (one message a line, blank
 * lines ignored). Fields as `memory.observe` takes them (`id`, `speakerId`, `speakerName`,
 * `content`, `time`, `bot`, `system`; integer ids are taken as their digits); the REST spelling
 * (`speaker_id`, `speaker_name`) is accepted too, so a body sent to POST /observe can be replayed from a file. Checked whole before
 * anything is logged, each problem naming its line (JSON Lines) or index (array).
 */
export function readObservedMessages(text: string): ObservedMessage[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const entries = body.trimStart().startsWith('[') ? arrayEntries(body) : lineEntries(body);
  if (entries.length === 0) {
    throw new MemoryError('invalid_input', 'The file holds no messages: give a JSON array or JSON Lines.');
  }
  const seen = new Map<string, string>();
  return entries.map(({ where, value }) => {
    const message = toMessage(value, where);
    const first = seen.get(message.id);
    if (first !== undefined) {
      throw new MemoryError(
        'invalid_input',
        `${where}: id "${message.id}" appears twice (first at ${first}).`,
        {
          details: { where, id: message.id },
        },
      );
    }
    seen.set(message.id, where);
    return message;
  });
}

interface Entry {
  /** "line 3" or "message 3" (from 1), for error messages. */
  where: string;
  value: unknown;
}

function arrayEntries(text: string): Entry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw invalidJson('The file', error);
  }
  if (!Array.isArray(parsed))
    throw new MemoryError('invalid_input', 'The file must hold a JSON array of messages.');
  return parsed.map((value, i) => ({ where: `message ${i + 1}`, value }));
}

function lineEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  for (const [i, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const where = `line ${i + 1}`;
    try {
      entries.push({ where, value: JSON.parse(line) });
    } catch (error) {
      throw invalidJson(where, error);
    }
  }
  return entries;
}

function invalidJson(where: string, error: unknown): MemoryError {
  const reason = error instanceof Error ? error.message : String(error);
  return new MemoryError('invalid_input', `${where} is not valid JSON (${reason}).`, { details: { where } });
}

function toMessage(value: unknown, where: string): ObservedMessage {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MemoryError('invalid_input', `${where}: a message must be a JSON object.`, {
      details: { where },
    });
  }
  const raw = value as Record<string, unknown>;
  const field = (name: string, ...spellings: string[]) => {
    for (const key of [name, ...spellings]) if (raw[key] !== undefined) return raw[key];
    return undefined;
  };
  const text = (name: string, value: unknown, required: boolean): string | undefined => {
    if (value === undefined && !required) return undefined;
    // Some platforms number their messages and users (Telegram): an integer id is its digits.
    if (name !== 'content' && Number.isSafeInteger(value)) return String(value);
    if (typeof value !== 'string' || value === '') {
      throw new MemoryError('invalid_input', `${where}: ${name} must be a non-empty string.`, {
        details: { where, field: name },
      });
    }
    return value;
  };
  const flag = (name: string): boolean | undefined => {
    const value = raw[name];
    if (value === undefined || typeof value === 'boolean') return value;
    throw new MemoryError('invalid_input', `${where}: ${name} must be true or false.`, {
      details: { where, field: name },
    });
  };
  const time = raw.time;
  if (time !== undefined && typeof time !== 'string' && typeof time !== 'number') {
    throw new MemoryError('invalid_input', `${where}: time must be an ISO 8601 string or epoch seconds/ms.`, {
      details: { where, field: 'time' },
    });
  }
  return {
    id: text('id', raw.id, true) as string,
    speakerId: text('speakerId', field('speakerId', 'speaker_id'), true) as string,
    speakerName: text('speakerName', field('speakerName', 'speaker_name'), false),
    content: text('content', raw.content, true) as string,
    time,
    bot: flag('bot'),
    system: flag('system'),
  };
}
