/**
 * The deterministic "LLM" behind both benchmark fakes (the in-process ChatModel and the fake
 * OpenAI server): it reads the prompt sections the real model would read and answers with valid
 * JSON, so engram and mem0 are measured on the same facts.
 *
 * Facts: each user sentence that is not small talk or a question becomes one fact (at most two per
 * message), rewritten in the third person ("I live in Berlin" → "User lives in Berlin").
 * Reconciliation: a fact whose first three words match an existing memory is NONE when the texts
 * are equal and UPDATE otherwise; anything else is ADD.
 */

const SMALL_TALK = /^(hi|hello|hey|thanks|thank you|ok|okay)\b/i;

/** The facts the fake model extracts from one user message. */
export function factsFromMessage(content: string): string[] {
  return content
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !s.endsWith('?') && !SMALL_TALK.test(s))
    .slice(0, 2)
    .map(thirdPerson);
}

function thirdPerson(sentence: string): string {
  const s = sentence.replace(/[.!]+$/, '');
  return s
    .replace(/^I am /, 'User is ')
    .replace(/^I have /, 'User has ')
    .replace(/^My /, "User's ")
    .replace(/^I (live|work|like|love|play|own|speak|prefer)\b/, 'User $1s')
    .replace(/^I /, 'User ')
    .replace(/ and I /, ' and user ');
}

/** Memories are matched on their first three words: "user lives in", "user's sister anna". */
export function topicOf(text: string): string {
  return text.toLowerCase().split(/\s+/).slice(0, 3).join(' ');
}

export interface ScriptedOperation {
  event: 'ADD' | 'UPDATE' | 'NONE';
  fact: number;
  id: number | null;
  text: string | null;
}

/** One operation per fact against the numbered existing memories. */
export function reconcile(facts: readonly string[], memories: readonly string[]): ScriptedOperation[] {
  return facts.map((fact, i) => {
    const match = memories.findIndex((m) => topicOf(m) === topicOf(fact));
    if (match < 0) return { event: 'ADD', fact: i, id: null, text: fact };
    if (memories[match] === fact) return { event: 'NONE', fact: i, id: match, text: null };
    return { event: 'UPDATE', fact: i, id: match, text: fact };
  });
}

/** The lines of the prompt section that starts with `heading`, up to the next blank line. */
export function sectionLines(prompt: string, heading: string): string[] {
  const start = prompt.indexOf(`${heading}\n`);
  if (start < 0) return [];
  const rest = prompt.slice(start + heading.length + 1);
  const end = rest.indexOf('\n\n');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.trim() !== '');
}

/** User turns of a "role: content" transcript section. */
function userTurns(lines: readonly string[]): string[] {
  return lines.filter((l) => l.startsWith('user: ')).map((l) => l.slice('user: '.length));
}

/** "3: text (since 2024-03-01)" → "text"; "0: text" → "text". */
function numberedItems(lines: readonly string[]): string[] {
  return lines
    .filter((l) => /^\d+: /.test(l))
    .map((l) => l.replace(/^\d+: /, '').replace(/ \(since \d{4}-\d{2}-\d{2}\)$/, ''));
}

function factObjects(facts: readonly string[]) {
  return facts.map((text) => ({ text, importance: 0.6, category: 'other', event_date: null }));
}

/** Which prompt a request carries, by the structured-output name engram sends or mem0's headings. */
export type PromptKind =
  | 'extract_facts'
  | 'reconcile_memories'
  | 'single_pass'
  | 'single_pass_graph'
  | 'extract_graph'
  | 'confirm_entities'
  | 'mem0_additive';

/**
 * The graph the fake model sees in facts: every capitalised word after a fact's first is an
 * entity, related to USER ("User's sister Anna lives in Berlin" → Anna, Berlin).
 */
function graphOf(facts: readonly string[]) {
  const entities = new Map<string, { name: string; type: string; summary: null; aliases: string[] }>();
  const relations: Record<string, unknown>[] = [];
  for (const [i, fact] of facts.entries()) {
    for (const name of fact
      .split(/\s+/)
      .slice(1)
      .map((w) => w.replace(/[^\p{L}]/gu, ''))
      .filter((w) => /^\p{Lu}/u.test(w))) {
      entities.set(name, { name, type: 'other', summary: null, aliases: [] });
      relations.push({
        source: 'USER',
        relationship: 'mentions',
        destination: name,
        fact,
        fact_index: i,
        valid_from: null,
        valid_to: null,
        exclusive: false,
      });
    }
  }
  return { entities: [...entities.values()], relations };
}

export function answerPrompt(kind: PromptKind, userPrompt: string): string {
  switch (kind) {
    case 'extract_facts': {
      const facts = userTurns(sectionLines(userPrompt, 'NEW MESSAGES:')).flatMap(factsFromMessage);
      return JSON.stringify({ facts: factObjects(facts) });
    }
    case 'reconcile_memories': {
      const memories = numberedItems(sectionLines(userPrompt, 'EXISTING MEMORIES:'));
      const facts = numberedItems(sectionLines(userPrompt, 'NEW FACTS:'));
      return JSON.stringify({ operations: reconcile(facts, memories) });
    }
    case 'single_pass': {
      const memories = numberedItems(sectionLines(userPrompt, 'EXISTING MEMORIES:'));
      const facts = userTurns(sectionLines(userPrompt, 'NEW MESSAGES:')).flatMap(factsFromMessage);
      return JSON.stringify({ facts: factObjects(facts), operations: reconcile(facts, memories) });
    }
    case 'single_pass_graph': {
      const memories = numberedItems(sectionLines(userPrompt, 'EXISTING MEMORIES:'));
      const facts = userTurns(sectionLines(userPrompt, 'NEW MESSAGES:')).flatMap(factsFromMessage);
      return JSON.stringify({
        facts: factObjects(facts),
        operations: reconcile(facts, memories),
        ...graphOf(facts),
      });
    }
    case 'extract_graph': {
      const facts = sectionLines(userPrompt, 'FACTS:')
        .filter((l) => /^\d+\. /.test(l))
        .map((l) => l.replace(/^\d+\. /, ''));
      return JSON.stringify(graphOf(facts));
    }
    case 'confirm_entities':
      return JSON.stringify({ same: [] });
    case 'mem0_additive': {
      // mem0 3.x extracts with one ADD-only prompt: {"memory": [{"id", "text"}]}.
      const facts = userTurns(sectionLines(userPrompt, '## New Messages')).flatMap(factsFromMessage);
      return JSON.stringify({ memory: facts.map((text, i) => ({ id: String(i), text })) });
    }
  }
}

/** Recognises engram's prompts by structured-output name and mem0's by its section headings. */
export function promptKindOf(schemaName: string | undefined, userPrompt: string): PromptKind | undefined {
  const engram: readonly string[] = [
    'extract_facts',
    'reconcile_memories',
    'single_pass',
    'single_pass_graph',
    'extract_graph',
    'confirm_entities',
  ];
  if (schemaName !== undefined && engram.includes(schemaName)) return schemaName as PromptKind;
  if (userPrompt.includes('## New Messages') && userPrompt.includes('## Existing Memories')) {
    return 'mem0_additive';
  }
  return undefined;
}
