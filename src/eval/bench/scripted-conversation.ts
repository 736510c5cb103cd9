/**
 * The conversation every pipeline benchmark replays: 20 turns (one `add` each: a user message and
 * the assistant's reply), one day apart. It is written so the fake LLMs exercise every path:
 * new facts (ADD), refinements and changes (UPDATE), repeats (NONE / de-duplication) and small
 * talk that yields no fact.
 */
export interface ScriptedTurn {
  user: string;
  assistant: string;
}

export const CONVERSATION_START = '2024-03-01T09:00:00.000Z';

export const SCRIPTED_CONVERSATION: readonly ScriptedTurn[] = [
  {
    user: 'Hi! I live in Berlin. I work as a nurse at the Charité hospital.',
    assistant: 'Nice to meet you! How long have you been a nurse?',
  },
  {
    user: 'I have been a nurse for six years. My sister Anna lives in Hamburg.',
    assistant: 'Six years is a long time. Do you visit Anna often?',
  },
  {
    user: 'I like hiking in the mountains. I am vegetarian.',
    assistant: 'The Harz has good trails within reach of Berlin.',
  },
  {
    user: 'Can you suggest a recipe for dinner tonight?',
    assistant: 'A chickpea curry with spinach takes about thirty minutes.',
  },
  {
    user: 'I live in Berlin. My favourite food is lentil soup.',
    assistant: 'Lentil soup is a good winter dish.',
  },
  {
    user: 'I play the cello in an amateur orchestra. The orchestra rehearses on Thursdays.',
    assistant: 'What are you rehearsing at the moment?',
  },
  {
    user: 'My sister Anna lives in Munich now.',
    assistant: 'Munich is closer to the Alps, good for your hikes.',
  },
  {
    user: 'I am training for a half marathon in October.',
    assistant: 'A twelve-week plan with three runs a week would suit that.',
  },
  {
    user: 'Thanks, that helps!',
    assistant: 'You are welcome.',
  },
  {
    user: 'I work as a nurse in the intensive care unit now.',
    assistant: 'That is demanding work. How are the shifts?',
  },
  {
    user: 'My partner Lea is a software engineer. Lea likes board games.',
    assistant: 'You could try Cascadia together, it is calm and quick.',
  },
  {
    user: 'I like hiking in the Alps most.',
    assistant: 'The Allgäu Alps are easy to reach from Munich.',
  },
  {
    user: 'I am allergic to penicillin.',
    assistant: 'Good to know; mention it to any new doctor.',
  },
  {
    user: 'I play the cello in an amateur orchestra.',
    assistant: 'Are you preparing for a concert?',
  },
  {
    user: 'I moved to Potsdam last month. My job is still in Berlin.',
    assistant: 'The regional train makes that commute manageable.',
  },
  {
    user: 'My favourite food is mushroom risotto now.',
    assistant: 'A good risotto needs patience and stock.',
  },
  {
    user: 'What should I pack for a weekend hike?',
    assistant: 'Layers, rain gear, water, snacks and a map.',
  },
  {
    user: 'I am training for a full marathon next spring.',
    assistant: 'Build up the long run slowly after the half marathon.',
  },
  {
    user: 'Lea and I adopted a cat named Miso.',
    assistant: 'Congratulations! How is Miso settling in?',
  },
  {
    user: 'I have been a nurse for seven years.',
    assistant: 'Seven years, congratulations on the anniversary.',
  },
];

/** The event time of turn `i`: one day after the previous turn. */
export function turnTime(i: number): string {
  return new Date(Date.parse(CONVERSATION_START) + i * 86_400_000).toISOString();
}
