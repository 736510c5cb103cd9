/**
 * The consolidation benchmark's fixed scenario: one user's 200 memories — 120 distinct facts and
 * 80 restatements of some of them — and 40 queries, each with the fact it should recall. Built
 * from fixed lists, no randomness, so every run sees the same texts.
 *
 * Restatements come in three kinds, one per way consolidation decides:
 * - 'case': lower-cased with a full stop (equal normalised text);
 * - 'order': the two clauses swapped (same words: cosine 1 with a bag-of-words embedder);
 * - 'synonym': one word replaced by a synonym (one word in ten differs: cosine ≈ 0.9, the band
 *   where the LLM is asked).
 * Ten facts have a close sibling that differs in one value (another job, city, ...): also ≈ 0.9,
 * and a distinct fact that must stay.
 */

/** Single-word synonyms: the 'synonym' restatements use them, the bench's judge undoes them. */
export const SYNONYMS: Readonly<Record<string, string>> = {
  works: 'labours',
  lives: 'resides',
  likes: 'enjoys',
  city: 'town',
  every: 'each',
  owns: 'keeps',
  plays: 'practises',
  reads: 'peruses',
  studies: 'learns',
  bakes: 'makes',
  visits: 'sees',
  drives: 'rides',
  speaks: 'talks',
  collects: 'gathers',
};

const NAMES = ['Anna', 'Boris', 'Chen', 'Dara', 'Emil', 'Farah', 'Goran', 'Hana', 'Ivo', 'Jana'];

/** [first clause, second clause, query words]; {n} is a name, {v} a value. */
const TEMPLATES: [string, string, string, string[]][] = [
  ['{n} works as a {v}', 'at the central city hospital', 'job', ['nurse', 'surgeon', 'porter', 'cook']],
  ['{n} lives in {v}', 'in a flat near the old harbour', 'home', ['Lisbon', 'Porto', 'Faro', 'Braga']],
  ['{n} likes {v} tea', 'with honey every single evening', 'tea', ['green', 'black', 'mint', 'jasmine']],
  ['{n} owns a {v} dog', 'that sleeps under the kitchen table', 'dog', ['brown', 'white', 'grey', 'spotted']],
  ['{n} plays the {v}', 'in a small jazz band on weekends', 'band', ['piano', 'cello', 'drums', 'flute']],
  [
    '{n} reads {v} novels',
    'on the long train ride to work',
    'novels',
    ['crime', 'fantasy', 'historical', 'romance'],
  ],
  ['{n} visits {v}', 'every summer with the whole family', 'summer', ['Crete', 'Malta', 'Sicily', 'Corsica']],
  [
    '{n} drives a {v} van',
    'to deliver bread to the village shops',
    'van',
    ['red', 'blue', 'green', 'yellow'],
  ],
  [
    '{n} speaks fluent {v}',
    'since living abroad for three years',
    'speaks',
    ['Spanish', 'Korean', 'Polish', 'Greek'],
  ],
  [
    '{n} collects old {v}',
    'found at flea markets around the country',
    'collects',
    ['stamps', 'coins', 'maps', 'clocks'],
  ],
  [
    '{n} studies {v} at night',
    'after putting the two kids to bed',
    'studies',
    ['law', 'physics', 'botany', 'music'],
  ],
  [
    '{n} bakes {v} bread',
    'for the neighbours on sunday mornings',
    'bread',
    ['rye', 'sourdough', 'spelt', 'corn'],
  ],
];

export interface ScenarioMemory {
  text: string;
  /** The fact it states (0..119). */
  fact: number;
  /** Day of January 2024 it was said. */
  day: number;
}

export interface ScenarioQuery {
  query: string;
  fact: number;
}

export interface ConsolidationScenario {
  memories: ScenarioMemory[];
  queries: ScenarioQuery[];
  facts: number;
}

const fill = (s: string, name: string, value: string) => s.replace('{n}', name).replace('{v}', value);

export function consolidationScenario(): ConsolidationScenario {
  const facts: { a: string; b: string; query: string }[] = [];
  // 110 facts: name × template, value chosen by position.
  for (let i = 0; i < 110; i++) {
    const name = NAMES[i % NAMES.length]!;
    const [a, b, q, values] = TEMPLATES[Math.floor(i / NAMES.length) % TEMPLATES.length]!;
    const value = values[i % values.length]!;
    facts.push({ a: fill(a, name, value), b, query: `${name} ${q} ${value}` });
  }
  // 10 siblings: the same person and template with the next value (a different fact).
  for (let i = 0; i < 10; i++) {
    const base = i * 11;
    const name = NAMES[base % NAMES.length]!;
    const [a, b, q, values] = TEMPLATES[Math.floor(base / NAMES.length) % TEMPLATES.length]!;
    const value = values[(base + 1) % values.length]!;
    facts.push({ a: fill(a, name, value), b, query: `${name} ${q} ${value}` });
  }
  const memories: ScenarioMemory[] = facts.map((f, fact) => ({
    text: `${f.a} ${f.b}`,
    fact,
    day: 1 + (fact % 10),
  }));
  // 80 restatements of facts 0..79, said later (days 12..28).
  for (let fact = 0; fact < 80; fact++) {
    const f = facts[fact]!;
    const kind = fact % 3;
    let text: string;
    if (kind === 0) text = `${f.a} ${f.b}.`.toLowerCase();
    else if (kind === 1) text = `${f.b[0]!.toUpperCase()}${f.b.slice(1)}, ${f.a}`;
    else text = synonymOf(`${f.a} ${f.b}`);
    memories.push({ text, fact, day: 12 + (fact % 17) });
  }
  // Queries: every third fact, the siblings' originals and the siblings themselves included.
  const queries: ScenarioQuery[] = [];
  for (let fact = 0; fact < facts.length && queries.length < 40; fact += 3) {
    queries.push({ query: facts[fact]!.query, fact });
  }
  return { memories, queries, facts: facts.length };
}

/** The first word of the text that has a synonym, replaced by it. */
function synonymOf(text: string): string {
  const words = text.split(' ');
  const i = words.findIndex((w) => SYNONYMS[w] !== undefined);
  if (i < 0) throw new Error(`no synonym for "${text}"`);
  words[i] = SYNONYMS[words[i]!]!;
  return words.join(' ');
}

/** Lower-cased words with synonyms mapped back, sorted: two texts of one fact give the same key. */
export function factKey(text: string): string {
  const back = new Map(Object.entries(SYNONYMS).map(([w, s]) => [s, w]));
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .map((w) => back.get(w) ?? w)
    .sort()
    .join(' ');
}
