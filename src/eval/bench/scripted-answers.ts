/**
 * The deterministic "LLM" behind both benchmark fakes (the in-process ChatModel and the fake
 * OpenAI server): it reads the prompt sections the real model would read and answers with valid
 * JSON, so engram and mem0 are measured on the same facts.
 *
 * Facts: each user sentence that is not small talk or a question becomes one fact (at most two per
 * message), rewritten in the third person ("I live in Berlin" → "User lives in Berlin").
 * Reconciliation: a fact whose first three words match an existing memory is NONE when the texts
 * are equal and UPDATE otherwise; anything else is ADD.
 * Observation windows: each message's facts go to its speaker, unless a WindowReference gives the
 * facts to answer (the observe benchmark's annotated LoCoMo observations).
 */

const SMALL_TALK = /^(hi|hello|hey|thanks|thank you|ok|okay)\b/i;

/** The facts the fake model extracts from one user message. */
export function factsFromMessage(content: string): string[] {
  return content
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => /\p{L}/u.test(s) && !s.endsWith('?') && !SMALL_TALK.test(s))
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
  | 'observe_window'
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

/** A message line of a window's NEW MESSAGES: "n. [speakerId] Name (YYYY-MM-DD HH:MM): text". */
export interface WindowLine {
  n: number;
  speakerId: string;
  /** The message's time to the minute, as the prompt shows it. */
  time: string;
  content: string;
}

const WINDOW_LINE = /^(\d+)\. \[([^\]]*)\] .*? \((\d{4}-\d{2}-\d{2} \d{2}:\d{2})\): (.*)$/;

/**
 * The messages of an observe-window prompt. NEW MESSAGES is the prompt's last section and a message
 * may hold line breaks, so a line counts as the next message only when it carries the next number.
 */
export function windowLines(userPrompt: string): WindowLine[] {
  const heading = 'NEW MESSAGES:\n';
  const start = userPrompt.indexOf(heading);
  if (start < 0) return [];
  const lines: WindowLine[] = [];
  for (const line of userPrompt.slice(start + heading.length).split('\n')) {
    const m = WINDOW_LINE.exec(line);
    if (m && Number(m[1]) === lines.length) {
      lines.push({ n: lines.length, speakerId: m[2]!, time: m[3]!, content: m[4]! });
    } else if (lines.length > 0) {
      lines[lines.length - 1]!.content += `\n${line}`;
    }
  }
  return lines;
}

/** A reference fact one of a window's messages carries. */
export interface ReferenceFact {
  /** Shared by every source message of the fact, so a fact from two messages is answered once. */
  id: number;
  text: string;
  speakerId: string;
}

/** The facts to answer for the messages of an observation window (looked up by channel and time). */
export interface WindowReference {
  factsAt(channel: string, time: string): readonly ReferenceFact[];
}

/**
 * The window's facts: from the reference when there is one (each fact with the numbers of its
 * source messages in this window), else each message's own sentences for its speaker. A fact about
 * a participant who did not speak in the window is left out: the schema only accepts the window's
 * speakers, as a real model's reply would have to.
 */
function observeWindow(userPrompt: string, reference?: WindowReference): string {
  const lines = windowLines(userPrompt);
  const channel = /^Channel (.*); messages up to /m.exec(userPrompt)?.[1] ?? '';
  const speakers = new Set(lines.map((l) => l.speakerId));
  const facts = new Map<string, { text: string; speaker: string; messages: number[] }>();
  for (const line of lines) {
    const found: { key: string; text: string; speaker: string }[] = reference
      ? reference
          .factsAt(channel, line.time)
          .map((f) => ({ key: `ref:${f.id}`, text: f.text, speaker: f.speakerId }))
      : factsFromMessage(line.content).map((text, i) => ({
          key: `${line.n}:${i}`,
          text,
          speaker: line.speakerId,
        }));
    for (const f of found) {
      if (!speakers.has(f.speaker)) continue;
      const entry = facts.get(f.key) ?? { text: f.text, speaker: f.speaker, messages: [] };
      entry.messages.push(line.n);
      facts.set(f.key, entry);
    }
  }
  return JSON.stringify({
    facts: [...facts.values()].map((f) => ({ ...f, importance: 0.6, category: 'other', event_date: null })),
  });
}

/** The answer to one prompt; `reference` only serves observation windows. */
export function answerPrompt(kind: PromptKind, userPrompt: string, reference?: WindowReference): string {
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
    case 'observe_window':
      return observeWindow(userPrompt, reference);
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
    'observe_window',
  ];
  if (schemaName !== undefined && engram.includes(schemaName)) return schemaName as PromptKind;
  if (userPrompt.includes('## New Messages') && userPrompt.includes('## Existing Memories')) {
    return 'mem0_additive';
  }
  return undefined;
}
