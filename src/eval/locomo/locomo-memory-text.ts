import type { LocomoTurn } from './locomo-dataset.js';

export const MEMORY_TEXT_FORMAT =
  '"<speaker>: <text>" + " [shares a photo of <caption>]" when the turn has an image + " (replying to <previous speaker>: <previous text>)"';

/**
 * The text stored for one turn: who said it, what they said, what a shared image shows, and the
 * turn it answers. Replies ("Yes! It was amazing.") rarely repeat the words of the question they
 * answer; carrying the previous turn lets a keyword search find them (docs/eval.md).
 */
export function locomoMemoryText(turn: LocomoTurn, previous?: LocomoTurn): string {
  const own = `${turn.speaker}: ${turn.text.trim()}`;
  const text = turn.caption ? `${own} [shares a photo of ${turn.caption}]` : own;
  return previous ? `${text} (replying to ${previous.speaker}: ${previous.text.trim()})` : text;
}
