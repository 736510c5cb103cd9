import { factFor } from '../ingest/fact-per-message.js';

/** A NEW MESSAGES line of the observe-window prompt: `3. [u-ana] Ana (2024-05-01 10:00): text`. */
const LINE = /^(\d+)\. \[([^\]]+)\] .*? \(\d{4}-\d\d-\d\d \d\d:\d\d\): (.*)$/;

/** Whether a structured request is an observation window: its facts name a speaker. */
export function isWindowRequest(schema: unknown): boolean {
  const facts = (schema as { properties?: { facts?: { items?: { properties?: object } } } } | undefined)
    ?.properties?.facts?.items?.properties;
  return facts !== undefined && 'speaker' in facts;
}

/**
 * The reply of a fake LLM to an observe-window prompt: one fact per new message, `factFor` its
 * text (distinct vectors under the fake embedders), about its speaker, citing that message.
 */
export function windowReplyFor(prompt: string): string {
  const start = prompt.indexOf('NEW MESSAGES:\n');
  const lines = start < 0 ? [] : prompt.slice(start + 'NEW MESSAGES:\n'.length).split('\n');
  const facts = lines.flatMap((line) => {
    const match = LINE.exec(line);
    if (!match) return [];
    return [
      {
        text: factFor(match[3] ?? ''),
        speaker: match[2],
        messages: [Number(match[1])],
        importance: 0.7,
        category: 'other',
        event_date: null,
      },
    ];
  });
  return JSON.stringify({ facts });
}
