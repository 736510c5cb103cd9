import type { OllamaChatBody } from '../support/fake-ollama.js';

// A tiny conversation in LoCoMo's shape, written for this test (the real file is licensed for
// evaluation only and never copied into the repository).
export const SAMPLE = [
  {
    sample_id: 'conv-test',
    conversation: {
      speaker_a: 'Ana',
      speaker_b: 'Bob',
      session_1_date_time: '10:00 am on 3 March, 2023',
      session_1: [
        { speaker: 'Ana', dia_id: 'D1:1', text: 'I adopted a puppy named Pixel last week.' },
        { speaker: 'Bob', dia_id: 'D1:2', text: 'Congrats! I started learning the cello.' },
        { speaker: 'Ana', dia_id: 'D1:3', text: 'My sister Lena lives in Porto.' },
      ],
      session_2_date_time: '6:30 pm on 20 April, 2023',
      session_2: [
        { speaker: 'Bob', dia_id: 'D2:1', text: 'I ran my first marathon in Lisbon on Sunday.' },
        { speaker: 'Ana', dia_id: 'D2:2', text: 'Pixel chewed my running shoes, so I bought new ones.' },
      ],
    },
    qa: [
      { question: "What is the name of Ana's puppy?", answer: 'Pixel', evidence: ['D1:1'], category: 4 },
      { question: 'What instrument is Bob learning?', answer: 'cello', evidence: ['D1:2'], category: 4 },
      {
        question: 'Where did Bob run his first marathon?',
        answer: 'Lisbon',
        evidence: ['D2:1'],
        category: 2,
      },
      { question: "Where does Ana's sister live?", answer: 'Porto', evidence: ['D1:3'], category: 1 },
      {
        question: 'What did Bob name his puppy?',
        adversarial_answer: 'Pixel',
        evidence: ['D1:1'],
        category: 5,
      },
    ],
  },
];

/** Flip to make the strict judge answer the "instrument" question with unusable text. */
export const judgeFails = { strictOnInstrument: true };

/** Which prompt a chat request belongs to, read from its system message. */
export function kindOf(body: OllamaChatBody): string {
  const system = body.messages[0]?.content ?? '';
  // Extraction, or single-pass (facts and operations in one schema): both are the extraction call.
  if (system.includes('long-term memory of an assistant')) return 'extract';
  if (body.messages[1]?.content.includes('NEW FACTS:')) return 'reconcile';
  if (system.includes('Two people have been talking')) return 'answer';
  if (system.includes('Grade generously')) return 'judge-lenient';
  if (system.includes('Grade strictly')) return 'judge-strict';
  return 'other';
}

function section(text: string, header: string): string[] {
  const start = text.indexOf(`${header}\n`);
  if (start < 0) return [];
  return text
    .slice(start + header.length + 1)
    .split('\n\n')[0]!
    .split('\n')
    .filter((line) => line.trim() !== '');
}

function field(text: string, name: string): string {
  return new RegExp(`${name}: (.*)`).exec(text)?.[1]?.trim() ?? '';
}

/** A deterministic stand-in for every LLM role of the benchmark. */
export function fakeLlm(body: OllamaChatBody): string {
  const user = body.messages[1]?.content ?? '';
  switch (kindOf(body)) {
    case 'extract': {
      // One fact per new turn: "Ana (user): text" → "Ana: text".
      const facts = section(user, 'NEW MESSAGES:').map((line) => ({
        text: line.replace(/ \(user\):/, ':'),
        importance: 0.7,
        category: 'other',
        event_date: null,
      }));
      if (!JSON.stringify(body.format ?? '').includes('operations')) return JSON.stringify({ facts });
      return JSON.stringify({ facts, operations: facts.map((_, fact) => ({ event: 'ADD', fact })) });
    }
    case 'reconcile': {
      const facts = section(user, 'NEW FACTS:');
      return JSON.stringify({ operations: facts.map((_, fact) => ({ event: 'ADD', fact })) });
    }
    case 'answer': {
      // The first retrieved note (a quoted line of the memories block), unquoted: an answer drawn
      // from the context.
      const note = section(user, 'NOTES:').find((line) => line.startsWith('- "'));
      const quoted = note ? /^- ("(?:[^"\\]|\\.)*")/.exec(note)?.[1] : undefined;
      return quoted ? (JSON.parse(quoted) as string) : 'Not mentioned.';
    }
    case 'judge-lenient':
      return JSON.stringify({ correct: true, reason: 'same topic' });
    case 'judge-strict': {
      if (judgeFails.strictOnInstrument && user.includes('instrument')) return 'Looks right to me!';
      const gold = field(user, 'REFERENCE ANSWER').toLowerCase();
      const answer = field(user, 'ANSWER TO GRADE').toLowerCase();
      return JSON.stringify({ correct: answer.includes(gold), reason: 'compared the key fact' });
    }
    default:
      return '{}';
  }
}
