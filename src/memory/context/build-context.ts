import { countTokens } from '../../util/token-count.js';
import type { ContextResult, MemoryItem, SearchResult } from '../api-types.js';

/**
 * A prompt-ready block of found memories within `budget` tokens, most relevant first; a memory
 * that does not fit is left out whole, never cut.
 */
export function buildContext(found: SearchResult, budget: number): ContextResult {
  const lines: string[] = [];
  const used: MemoryItem[] = [];
  let tokens = 0;
  for (const item of found.results) {
    const line = `- ${item.memory} (${item.valid_from.slice(0, 10)})`;
    const cost = countTokens(line) + 1;
    if (tokens + cost > budget) continue;
    lines.push(line);
    used.push(item);
    tokens += cost;
  }
  return {
    text: lines.join('\n'),
    memories: used,
    tokens,
    ...(found.degraded ? { degraded: found.degraded } : {}),
  };
}
