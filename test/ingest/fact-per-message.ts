import type { ScriptedReply } from '../support/fake-chat-script.js';
import type { OllamaChatBody } from '../support/fake-ollama.js';

/**
 * The fact a message yields: the message, capitalised, plus three words derived from it. The
 * fake embedders hash letters only, so "fact number 17" and "fact number 18" would embed the
 * same and be merged as near-duplicates; the derived words keep every fact's vector distinct.
 */
export function factFor(message: string): string {
  const text = message.trim();
  return `${text.charAt(0).toUpperCase()}${text.slice(1)} (${tagWords(text)})`;
}

function tagWords(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  const words: string[] = [];
  for (let w = 0; w < 3; w++) {
    let word = '';
    for (let c = 0; c < 6; c++) {
      hash = Math.imul(hash ^ (hash >>> 15), 0x2c1b3c6d) >>> 0;
      word += String.fromCharCode(97 + (hash % 26));
    }
    words.push(word);
  }
  return words.join(' ');
}

/** Which prompt a structured request is: by the top-level property its JSON schema asks for. */
export function promptKind(body: unknown): 'extract' | 'reconcile' | 'other' {
  const format = (body as { format?: { properties?: Record<string, unknown> } } | undefined)?.format;
  // Single-pass asks for facts and operations in one schema: it is the extraction call.
  if (format?.properties?.facts) return 'extract';
  if (format?.properties?.operations) return 'reconcile';
  if (format?.properties?.facts) return 'extract';
  return 'other';
}

/** Lines of one section of a prompt ("NEW MESSAGES:", "NEW FACTS:"), up to the next blank line. */
function section(prompt: string, heading: string): string[] {
  const start = prompt.indexOf(`${heading}\n`);
  if (start < 0) return [];
  const rest = prompt.slice(start + heading.length + 1);
  const end = rest.indexOf('\n\n');
  return (end < 0 ? rest : rest.slice(0, end)).split('\n').filter((line) => line.trim() !== '');
}

/**
 * A fake-Ollama chat handler: extraction yields one fact per new user message (`factFor`),
 * reconciliation ADDs every new fact. `delayMs` makes each answer take that long.
 */
export function factPerMessage(delayMs = 0): (body: OllamaChatBody) => ScriptedReply {
  return (body) => {
    const prompt = body.messages.at(-1)?.content ?? '';
    const kind = promptKind(body);
    let text = '{}';
    if (kind === 'extract') {
      const facts = section(prompt, 'NEW MESSAGES:')
        .filter((line) => line.startsWith('user: '))
        .map((line) => ({
          text: factFor(line.slice('user: '.length)),
          importance: 0.7,
          category: 'other',
          event_date: null,
        }));
      const operations = facts.map((_, fact) => ({ event: 'ADD', fact }));
      const singlePass = Boolean(
        (body.format as { properties?: Record<string, unknown> } | undefined)?.properties?.operations,
      );
      text = JSON.stringify(singlePass ? { facts, operations } : { facts });
    } else if (kind === 'reconcile') {
      const count = section(prompt, 'NEW FACTS:').filter((line) => /^\d+: /.test(line)).length;
      text = JSON.stringify({
        operations: Array.from({ length: count }, (_, fact) => ({ event: 'ADD', fact })),
      });
    }
    return delayMs > 0 ? { text, delayMs } : text;
  };
}
