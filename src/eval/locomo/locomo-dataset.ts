import { readFile } from 'node:fs/promises';

/** One dialogue turn of a LoCoMo conversation. */
export interface LocomoTurn {
  speaker: string;
  /** "D<session>:<turn>". */
  diaId: string;
  text: string;
  /** BLIP caption of a shared image, when the turn carries one. */
  caption: string | null;
}

export interface LocomoSession {
  index: number;
  /** The session's date as written in the file, e.g. "1:56 pm on 8 May, 2023". */
  dateText: string;
  /** The same instant as ISO 8601 (UTC), or null when the text cannot be read. */
  date: string | null;
  turns: LocomoTurn[];
}

export interface LocomoQuestion {
  question: string;
  answer: string;
  /** Evidence dia_ids, normalised (malformed strings such as "D8:6; D9:17" are split and repaired). */
  evidence: string[];
  category: number;
}

export interface LocomoConversation {
  sampleId: string;
  speakers: [string, string];
  sessions: LocomoSession[];
  questions: LocomoQuestion[];
}

/** Reads locomo10.json (see PROVENANCE.md beside it) into typed conversations. */
export async function loadLocomo(path: string): Promise<LocomoConversation[]> {
  const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${path} is not a LoCoMo file: expected a list of samples.`);
  return raw.map((sample, i) => parseSample(sample, i));
}

type Json = Record<string, unknown>;

function parseSample(sample: unknown, index: number): LocomoConversation {
  const s = asObject(sample, `sample ${index}`);
  const conversation = asObject(s.conversation, `sample ${index}.conversation`);
  const sessions: LocomoSession[] = [];
  for (const key of Object.keys(conversation)) {
    const match = /^session_(\d+)$/.exec(key);
    const turns = conversation[key];
    if (!match || !Array.isArray(turns)) continue;
    const n = Number(match[1]);
    const dateText = String(conversation[`session_${n}_date_time`] ?? '');
    sessions.push({ index: n, dateText, date: parseLocomoDate(dateText), turns: turns.map(parseTurn) });
  }
  sessions.sort((a, b) => a.index - b.index);
  const qa = Array.isArray(s.qa) ? s.qa : [];
  return {
    sampleId: String(s.sample_id ?? `sample-${index}`),
    speakers: [String(conversation.speaker_a ?? ''), String(conversation.speaker_b ?? '')],
    sessions,
    questions: qa.map((q) => {
      const o = asObject(q, 'qa item');
      return {
        question: String(o.question ?? ''),
        answer: String(o.answer ?? o.adversarial_answer ?? ''),
        evidence: normaliseEvidence(o.evidence),
        category: Number(o.category),
      };
    }),
  };
}

function parseTurn(turn: unknown): LocomoTurn {
  const t = asObject(turn, 'turn');
  return {
    speaker: String(t.speaker ?? ''),
    diaId: String(t.dia_id ?? ''),
    text: String(t.text ?? ''),
    caption:
      typeof t.blip_caption === 'string' && t.blip_caption.trim() !== '' ? t.blip_caption.trim() : null,
  };
}

/** "D8:6; D9:17" → ["D8:6", "D9:17"]; "D:11:26" → ["D11:26"]. */
export function normaliseEvidence(evidence: unknown): string[] {
  const items = Array.isArray(evidence) ? evidence : [];
  const ids = items.flatMap((e) => [...String(e).matchAll(/D:?(\d+):(\d+)/g)].map((m) => `D${m[1]}:${m[2]}`));
  return [...new Set(ids)];
}

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** "1:56 pm on 8 May, 2023" → "2023-05-08T13:56:00.000Z". */
export function parseLocomoDate(text: string): string | null {
  const m = /(\d{1,2}):(\d{2})\s*(am|pm)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})/i.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf(m[5]!.toLowerCase());
  if (month < 0) return null;
  const hour = (Number(m[1]) % 12) + (m[3]!.toLowerCase() === 'pm' ? 12 : 0);
  return new Date(Date.UTC(Number(m[6]), month, Number(m[4]), hour, Number(m[2]))).toISOString();
}

function asObject(value: unknown, what: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`LoCoMo: ${what} is not an object.`);
  }
  return value as Json;
}
